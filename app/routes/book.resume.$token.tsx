/**
 * /book/resume/<token>: the link in a "payment failed" or "your time was taken" email. It reopens
 * the client's draft in whichever browser opens it (the draft cookie is set here), at the review
 * step, or at the time step when the time went to someone else. A link that no longer works says
 * so and offers a fresh start.
 */
import { data, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { draftCookieHeader } from "~/wizard/draft-cookie.server";
import { findDraftByResumeToken } from "~/wizard/drafts.server";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "That link has expired" };

export const meta: MetaFunction = () => [{ name: "robots", content: "noindex" }];

export async function loader({ params }: LoaderFunctionArgs) {
  const draft = findDraftByResumeToken(getDb(), params.token ?? "", new Date());
  if (!draft) return data(null, { status: 404 });
  // The review step sends a draft without a time back to the time step.
  throw redirect("/book/review", {
    status: 303,
    headers: { "Set-Cookie": await draftCookieHeader(draft.id) },
  });
}

export default function ExpiredResumeLink() {
  return (
    <div className="wizard">
      <h1>That link has expired</h1>
      <p>
        Booking details are kept for a day, and this link was for details that are gone or were
        booked since. You are welcome to start again.
      </p>
      <p>
        <Link to="/book" className="button button-primary">
          Book a session
        </Link>
      </p>
    </div>
  );
}
