/**
 * The CSP nonce of the request being rendered, for the inline scripts Remix writes (`<Scripts>`,
 * `<ScrollRestoration>`). Only the server knows it; in the browser it is empty, as React expects.
 */
import { createContext, useContext } from "react";

const NonceContext = createContext<string | undefined>(undefined);

export const NonceProvider = NonceContext.Provider;

export function useNonce(): string | undefined {
  return useContext(NonceContext);
}
