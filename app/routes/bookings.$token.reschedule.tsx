/**
 * /bookings/<token>/reschedule: the client picks another free time of the same session and coach
 * (a GET form: picking changes nothing), is asked to confirm the move, and the POST moves it, the
 * time checked again as it is written. Times are in the zone the client booked in.
 */
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import {
  canMoveTo,
  findManagedBooking,
  rescheduleForClient,
  rescheduleWeek,
} from "~/booking/self-service.server";
import { WeekPicker } from "~/components/week-picker";
import { Notice, SubmitButton } from "~/components/wizard";
import { notFound } from "~/http/auth.server";
import { publicUrl } from "~/http/public-url.server";
import { formatSession } from "~/lib/time-format";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "Move your booking" };

export const meta: MetaFunction = () => [{ name: "robots", content: "noindex" }];

/** An instant as the form sends it; null for anything else. */
function instantOf(text: string | null): Date | null {
  if (!text || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/.test(text)) return null;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? null : at;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const db = getDb();
  const now = new Date();
  const managed = findManagedBooking(db, token, now);
  if (!managed) throw notFound();
  const base = `/bookings/${token}`;
  if (managed.cannotChange) throw redirect(base, 303);
  const { booking } = managed;
  const url = new URL(request.url);
  const asked = url.searchParams.get("startAt");
  const chosen = instantOf(asked);
  const movable = chosen !== null && canMoveTo(db, managed, chosen, now);
  const duration = booking.endAt.getTime() - booking.startAt.getTime();
  const zone = booking.clientTimezone;
  return {
    base,
    session: `${booking.serviceName} with ${booking.coachName}`,
    current: formatSession(booking.startAt, booking.endAt, zone),
    chosen: movable
      ? {
          value: chosen.toISOString(),
          when: formatSession(chosen, new Date(chosen.getTime() + duration), zone),
        }
      : null,
    unavailable: asked !== null && !movable,
    week: movable
      ? null
      : rescheduleWeek(db, managed, {
          requestedWeek: url.searchParams.get("week"),
          requestedDay: url.searchParams.get("day"),
          now,
        }),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const token = params.token ?? "";
  const startAt = instantOf(String((await request.formData()).get("startAt") ?? ""));
  if (!startAt) return data({ message: "Choose one of the times shown." }, { status: 400 });
  const outcome = rescheduleForClient(getDb(), token, startAt, {
    now: new Date(),
    appUrl: publicUrl(request),
  });
  if (outcome.ok) return redirect(`/bookings/${token}?done=moved`, 303);
  switch (outcome.refused) {
    case "not_found":
      throw notFound();
    case "not_confirmed":
    case "too_late":
      return redirect(`/bookings/${token}`, 303);
    case "same_time":
      return data({ message: "That is already your time. Choose another one." }, { status: 400 });
    case "slot_taken":
      return data(
        { message: "That time was just taken, or is no longer free. Please choose another." },
        { status: 409 },
      );
  }
}

export default function RescheduleBooking() {
  const view = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="wizard">
      <h1>{view.chosen ? "Move your booking?" : "Choose a new time"}</h1>
      <p>
        {view.session}, now {view.current}.
      </p>
      {result?.message ? <Notice tone="error">{result.message}</Notice> : null}
      {view.chosen ? (
        <>
          <p>
            <strong>Move it to {view.chosen.when}?</strong> You will not pay again; we will email
            you the updated calendar invite.
          </p>
          <Form method="post" className="action-list">
            <input type="hidden" name="startAt" value={view.chosen.value} />
            <SubmitButton pendingText="Moving…">Yes, move it</SubmitButton>
            <Link to="?" className="button">
              Choose another time
            </Link>
          </Form>
        </>
      ) : view.week ? (
        <>
          {view.unavailable && !result?.message ? (
            <Notice tone="error">
              That time is not free. Please choose one of the times shown.
            </Notice>
          ) : null}
          <WeekPicker week={view.week} method="get" action={`${view.base}/reschedule`} />
        </>
      ) : (
        <p>
          This session can no longer be booked at another time online.{" "}
          <Link to={view.base}>Back to your booking</Link>
        </p>
      )}
      <p>
        <Link to={view.base}>Keep the time I have</Link>
      </p>
    </div>
  );
}
