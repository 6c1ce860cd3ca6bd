/// <reference types="@remix-run/dev" />

import "@remix-run/node";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
  /** What the HTTP layer (server/express-app.ts) hands every loader and action. */
  interface AppLoadContext {
    /** This response's CSP nonce, for the inline scripts Remix writes. */
    cspNonce: string;
    /** The client's address, as TRUST_PROXY allows it to be known. */
    clientAddress: string;
  }
}
