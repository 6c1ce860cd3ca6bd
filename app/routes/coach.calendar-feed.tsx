/**
 * /coach/calendar-feed: the signed-in coach's private calendar feed. Its address is shown once,
 * when made (only its hash is kept); making a new one ends the old one.
 */
import { type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { hasFeed, renewFeedToken } from "~/coach/calendar-feed.server";
import { SubmitButton } from "~/components/wizard";
import { forbidden, requireUser } from "~/http/auth.server";
import { publicUrl } from "~/http/public-url.server";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "Calendar feed · Coach area" };

async function requireCoach(request: Request): Promise<number> {
  const user = await requireUser(request);
  if (!user.coachId) throw forbidden("Only a coach has a calendar of sessions to subscribe to.");
  return user.coachId;
}

export async function loader({ request }: LoaderFunctionArgs) {
  return { hasFeed: hasFeed(getDb(), await requireCoach(request)) };
}

export async function action({ request }: ActionFunctionArgs) {
  const token = renewFeedToken(getDb(), await requireCoach(request));
  // The address exists nowhere else: shown on this answer, once.
  return { url: `${publicUrl(request)}/feeds/${token}.ics` };
}

export default function CalendarFeed() {
  const { hasFeed } = useLoaderData<typeof loader>();
  const made = useActionData<typeof action>();
  return (
    <div className="coach-page">
      <h1>Calendar feed</h1>
      <p>
        Subscribe to your sessions from your calendar app (Google Calendar: &ldquo;Other
        calendars&rdquo;, &ldquo;From URL&rdquo;; Apple Calendar: &ldquo;New calendar
        subscription&rdquo;; Outlook: &ldquo;Subscribe from web&rdquo;). New bookings, moves and
        cancellations show up when your calendar next checks, usually within a few hours.
      </p>
      {made ? (
        <div className="notice notice-done" role="status">
          <p>
            Your feed&rsquo;s address, shown only now (keep it private: it shows your clients&rsquo;
            names):
          </p>
          <p>
            <code className="feed-url">{made.url}</code>
          </p>
        </div>
      ) : hasFeed ? (
        <p>
          You have a feed. Lost its address, or shared it by mistake? Make a new one: the old one
          stops working.
        </p>
      ) : null}
      <Form method="post">
        <SubmitButton pendingText="Making…">
          {hasFeed || made ? "Make a new address" : "Make my feed"}
        </SubmitButton>
      </Form>
    </div>
  );
}
