/**
 * Renders every document. Differs from Remix's default in two ways: the CSP nonce the HTTP layer
 * made for this request (server/protections.ts) goes on every inline script Remix writes, and a
 * page that says nothing about caching is never cached (most pages show someone's booking).
 */
import { PassThrough } from "node:stream";
import {
  createReadableStreamFromReadable,
  type AppLoadContext,
  type EntryContext,
  type HandleDataRequestFunction,
} from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { NonceProvider } from "~/components/nonce";

const ABORT_DELAY = 5_000;

function noStoreUnlessSaid(headers: Headers) {
  if (!headers.has("Cache-Control")) headers.set("Cache-Control", "no-store");
}

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = (loadContext as { cspNonce?: string }).cspNonce;
  noStoreUnlessSaid(responseHeaders);
  return new Promise<Response>((resolve, reject) => {
    let statusCode = responseStatusCode;
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer
          context={remixContext}
          url={request.url}
          abortDelay={ABORT_DELAY}
          nonce={nonce}
        />
      </NonceProvider>,
      {
        nonce,
        // No page streams (there is no Suspense): wait for all of it, and send it whole.
        onAllReady() {
          const body = new PassThrough();
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(
            new Response(createReadableStreamFromReadable(body), {
              headers: responseHeaders,
              status: statusCode,
            }),
          );
          pipe(body);
        },
        onShellError: reject,
        onError() {
          statusCode = 500;
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

/** JavaScript's data requests (single fetch) carry the same personal data as the pages. */
export const handleDataRequest: HandleDataRequestFunction = (response) => {
  noStoreUnlessSaid(response.headers);
  return response;
};
