/**
 * The page a request gets when the HTTP layer refuses it before the app sees it (a wrong content
 * type, a body too large, another site's form, too many tries): the site's look, a plain sentence
 * saying what happened and what to do, and the right 4xx. Never a stack trace.
 */
import type { Request, Response } from "express";
import styles from "~/styles/app.css";

export type Refusal = { status: number; title: string; message: string };

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

/** A refused body up to this size is read (and dropped) first, so the client hears the answer. */
const MAX_DRAINED_BYTES = 1024 * 1024;

export function sendRefusal(req: Request, res: Response, refusal: Refusal) {
  const declared = Number(req.get("content-length") ?? 0);
  if (!req.complete && declared > 0 && declared <= MAX_DRAINED_BYTES) {
    // Answering while the client still sends makes its kernel drop our answer (a reset): read
    // what it sends first.
    req.resume();
    req.once("end", () => send(req, res, refusal));
    req.once("error", () => res.destroy());
    return;
  }
  // Anything still unread (a body too large to read, one of unknown length) must not be taken
  // for the next request on this connection.
  if (!req.complete) res.setHeader("Connection", "close");
  send(req, res, refusal);
}

function send(req: Request, res: Response, refusal: Refusal) {
  res.status(refusal.status).setHeader("Cache-Control", "no-store");
  if (!req.accepts("html")) {
    res.type("text/plain").send(`${refusal.title}. ${refusal.message}\n`);
    return;
  }
  res.type("html").send(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(refusal.title)}</title>
<link rel="stylesheet" href="${styles}">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
</head>
<body>
<main id="main" class="site-main">
<section class="error-page" aria-labelledby="error-title">
<p class="error-code">Error ${refusal.status}</p>
<h1 id="error-title">${escapeHtml(refusal.title)}</h1>
<p>${escapeHtml(refusal.message)}</p>
<p><a href="/" class="button">Back to the home page</a></p>
</section>
</main>
</body>
</html>
`);
}
