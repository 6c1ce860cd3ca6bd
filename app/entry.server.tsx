/**
 * Renders every document. Differs from Remix's default in three ways: the CSP nonce the HTTP layer
 * made for this request (server/protections.ts) goes on every inline script Remix writes; a page
 * that says nothing about caching is never cached (most pages show someone's booking); and only
 * our failures are logged, through the structured log, not a client's mistakes (a 404, a 405).
 */
import { PassThrough } from "node:stream";
import {
  createReadableStreamFromReadable,
  type AppLoadContext,
  type EntryContext,
  type HandleDataRequestFunction,
  type HandleErrorFunction,
} from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { log, redactPath } from "~/lib/log.server";
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
  const nonce = loadContext.cspNonce;
  noStoreUnlessSaid(responseHeaders);
  return new Promise<Response>((resolve, reject) => {
    let statusCode = responseStatusCode;
    // Cleared once the page is rendered: a pending timer keeps the whole render (request, streams,
    // data) alive for its five seconds, which at a few hundred pages a second is most of the heap.
    const abortTimer = setTimeout(() => abort(), ABORT_DELAY);
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
          clearTimeout(abortTimer);
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
        onShellError(error) {
          clearTimeout(abortTimer);
          reject(error);
        },
        onError() {
          statusCode = 500;
        },
      },
    );
  });
}

/** JavaScript's data requests (single fetch) carry the same personal data as the pages. */
export const handleDataRequest: HandleDataRequestFunction = (response) => {
  noStoreUnlessSaid(response.headers);
  return response;
};

/** Our own failures, logged once with the request's redacted path; a client's 4xx is not ours. */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return;
  if (isRouteErrorResponse(error) && error.status < 500) return;
  log.error({ err: error, route: redactPath(new URL(request.url).pathname) }, "request failed");
};
