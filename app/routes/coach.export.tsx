/**
 * `GET /coach/export?from=YYYY-MM-DD&to=YYYY-MM-DD`: the bookings the signed-in user may see, as a
 * CSV file to download. Both days are included, read in the user's zone; a missing or impossible
 * date is answered 400 with a line of text saying what to fix. A resource route: no page.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { DateTime } from "luxon";
import * as z from "zod";
import { viewerZone } from "~/coach/bookings.server";
import { bookingsCsv, dayAfter } from "~/coach/export.server";
import { requireUser } from "~/http/auth.server";
import { getDb } from "~db/database.server";

const day = (name: string) =>
  z
    .string({ error: `Add ${name}=YYYY-MM-DD to the address.` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `Write ${name} as YYYY-MM-DD, for example 2026-03-01.`)
    .refine((text) => DateTime.fromISO(text).isValid, `${name} is not a date that exists.`);

const rangeSchema = z
  .object({ from: day("from"), to: day("to") })
  .refine((range) => range.from <= range.to, {
    message: "to must be the same day as from, or later.",
  });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const params = new URL(request.url).searchParams;
  const range = rangeSchema.safeParse({
    from: params.get("from") ?? undefined,
    to: params.get("to") ?? undefined,
  });
  if (!range.success) return badRequest(range.error.issues.map((issue) => issue.message));
  const { from, to } = range.data;
  const db = getDb();
  const csv = bookingsCsv(db, user, { from, to: dayAfter(to), zone: viewerZone(db, user) });
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="bookings-${from}-to-${to}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}

function badRequest(messages: string[]) {
  const text = [
    "Could not export: the dates are missing or wrong.",
    ...messages,
    "Example: /coach/export?from=2026-03-01&to=2026-03-31",
  ].join("\n");
  return new Response(`${text}\n`, {
    status: 400,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}
