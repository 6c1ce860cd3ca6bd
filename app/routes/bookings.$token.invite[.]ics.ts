/**
 * /bookings/<token>/invite.ics: the session as a calendar file ("Add to calendar"), with the same
 * UID as the emailed invites, so opening it again after a move updates the one event.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { manageUrlOf } from "~/booking/manage-links.server";
import { findManagedBooking } from "~/booking/self-service.server";
import { inviteCancel, inviteForDownload } from "~/email/invite.server";
import { notFound } from "~/http/auth.server";
import { publicUrl } from "~/http/public-url.server";
import { getDb } from "~db/database.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const managed = findManagedBooking(getDb(), token, new Date());
  if (!managed) throw notFound();
  const { booking, practice } = managed;
  const options = { practice, manageUrl: manageUrlOf(publicUrl(request), token) };
  const ics =
    booking.status === "cancelled"
      ? inviteCancel(booking, options)
      : inviteForDownload(booking, options);
  return new Response(ics, {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": 'attachment; filename="booking.ics"',
      "Cache-Control": "no-store",
    },
  });
}
