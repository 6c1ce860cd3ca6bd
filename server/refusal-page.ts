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

export function sendRefusal(req: Request, res: Response, refusal: Refusal) {
  res.status(refusal.status).setHeader("Cache-Control", "no-store");
  // The connection may still hold an unread body; don't let it carry over to the next request.
  if (refusal.status === 413 || refusal.status === 411) res.setHeader("Connection", "close");
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
