/**
 * /coach/outbox: every email Kairos has queued, newest first, readable as sent, with where it stands
 * (waiting, sent, retrying, dead, withdrawn). Without SMTP this is where the practice reads its mail.
 * "Send again" (a POST, here or from "Needs attention") queues a dead email once more.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { viewerZone } from "~/coach/bookings.server";
import { outboxPage, sendEmailAgain } from "~/coach/outbox.server";
import { Done, OUTBOX_PATH, SendAgain } from "~/components/coach";
import { Notice } from "~/components/wizard";
import { requireUser } from "~/http/auth.server";
import { getEnv } from "~/lib/env.server";
import { formatDay, formatTime, zoneLabel } from "~/lib/time-format";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "Outbox · Coach area" };

function pageOf(url: URL): number {
  const page = Number(url.searchParams.get("page") ?? "1");
  return Number.isInteger(page) && page >= 1 && page <= 10_000 ? page : 1;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = getDb();
  const zone = viewerZone(db, user);
  const page = pageOf(new URL(request.url));
  const { emails, total, pages } = outboxPage(db, user, page);
  const when = (at: Date) => `${formatDay(at, zone)}, ${formatTime(at, zone)}`;
  return {
    zoneName: zoneLabel(zone),
    smtp: Boolean(getEnv().SMTP_URL),
    page,
    pages,
    total,
    emails: emails.map((email) => ({
      id: email.id,
      bookingId: email.bookingId,
      recipient: email.recipient,
      subject: email.subject,
      textBody: email.textBody,
      hasInvite: email.ics !== null,
      queued: when(email.createdAt),
      state: stateOf(email, when),
      dead: email.status === "dead",
    })),
  };
}

function stateOf(
  email: {
    status: string;
    attempts: number;
    nextAttemptAt: Date;
    sentAt: Date | null;
    lastError: string | null;
  },
  when: (at: Date) => string,
): string {
  switch (email.status) {
    case "sent":
      return `Sent ${email.sentAt ? when(email.sentAt) : ""}`.trim();
    case "dead":
      return `Not sent: gave up after ${email.attempts} attempts (${email.lastError ?? "no reason given"})`;
    case "cancelled":
      return "Withdrawn: the session was moved or cancelled";
    default:
      return email.attempts > 0
        ? `Retrying ${when(email.nextAttemptAt)} (attempt ${email.attempts} failed: ${email.lastError ?? "no reason given"})`
        : `Waiting to be sent ${when(email.nextAttemptAt)}`;
  }
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await request.formData();
  const id = Number(form.get("emailId"));
  if (form.get("intent") !== "send-again" || !Number.isInteger(id) || id < 1)
    return data({ message: "Use a Send again button on this page." }, { status: 400 });
  const outcome = sendEmailAgain(getDb(), user, id, new Date());
  if (outcome === "not_found") throw new Response("Not found", { status: 404 });
  return redirect(`${OUTBOX_PATH}?${outcome === "queued" ? "queued" : "already"}=${id}`, 303);
}

export default function Outbox() {
  const { zoneName, smtp, page, pages, total, emails } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  return (
    <div className="coach-page">
      <h1>Outbox</h1>
      {params.get("queued") ? (
        <Done>The email is queued again: it goes out within a minute.</Done>
      ) : params.get("already") ? (
        <Done>That email was already on its way again.</Done>
      ) : null}
      {smtp ? null : (
        <Notice tone="info">
          No mail server is set up (SMTP_URL), so emails are not sent: each is kept here and written
          as an .eml file in the data folder&rsquo;s <code>emails</code> folder.
        </Notice>
      )}
      <p className="hint">
        {total} email{total === 1 ? "" : "s"}, newest first. Times are in {zoneName}.
      </p>
      {emails.length === 0 ? <p>No emails yet.</p> : null}
      <ol className="outbox">
        {emails.map((email) => (
          <li key={email.id} id={`email-${email.id}`}>
            <h2 className="outbox-subject">{email.subject}</h2>
            <p>
              To {email.recipient}, queued {email.queued}
              {email.hasInvite ? ", with a calendar invite" : ""}
              {email.bookingId ? (
                <>
                  {" "}
                  (<Link to={`/coach/bookings/${email.bookingId}`}>the booking</Link>)
                </>
              ) : null}
              .
            </p>
            <p className={email.dead ? "field-error" : "hint"}>{email.state}</p>
            {email.dead ? <SendAgain emailId={email.id} /> : null}
            <details>
              <summary>
                Read it<span className="visually-hidden">: {email.subject}</span>
              </summary>
              <pre className="email-text">{email.textBody}</pre>
            </details>
          </li>
        ))}
      </ol>
      {pages > 1 ? (
        <nav aria-label="Pages of the outbox" className="pager">
          {page > 1 ? <Link to={`?page=${page - 1}`}>Newer</Link> : null}
          <span>
            Page {page} of {pages}
          </span>
          {page < pages ? <Link to={`?page=${page + 1}`}>Older</Link> : null}
        </nav>
      ) : null}
    </div>
  );
}
