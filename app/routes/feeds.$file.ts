/**
 * /feeds/<token>.ics: a coach's private calendar feed, for their calendar app to subscribe to. A
 * token that is no coach's is a 404 like any other missing page.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { feedFor } from "~/coach/calendar-feed.server";
import { notFound } from "~/http/auth.server";
import { getDb } from "~db/database.server";

export async function loader({ params }: LoaderFunctionArgs) {
  const token = params.file?.match(/^(.+)\.ics$/)?.[1];
  const feed = token ? feedFor(getDb(), token, new Date()) : null;
  if (!feed) throw notFound();
  return new Response(feed, {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": 'inline; filename="kairos.ics"',
      "Cache-Control": "private, no-store",
    },
  });
}
