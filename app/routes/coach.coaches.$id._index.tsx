import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import {
  coachSchema,
  emailTaken,
  findCoachForEditing,
  futureBookingsOf,
  setCoachActive,
  updateCoach,
} from "~/catalogue/coaches-admin.server";
import { Done, StatusBadge } from "~/components/coach";
import { CoachFields, type CoachForm } from "~/components/coach-fields";
import { SubmitButton } from "~/components/wizard";
import { notFound, requireOwner } from "~/http/auth.server";
import { rejectField } from "~/http/forms.server";
import { timezoneOptions } from "~/lib/timezones";
import { formatSession } from "~/lib/time-format";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle<{ coach: { name: string } }> = {
  title: (data) => (data ? `${data.coach.name} · Coaches` : "Coach"),
};

/** The coach of the URL; a 404 for anything else. */
function coachOf(id: string | undefined) {
  const coach = /^\d{1,9}$/.test(id ?? "") ? findCoachForEditing(getDb(), Number(id)) : null;
  if (!coach) throw notFound();
  return coach;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireOwner(request);
  const coach = coachOf(params.id);
  const url = new URL(request.url);
  return {
    coach: {
      id: coach.id,
      name: coach.name,
      active: coach.active,
    },
    values: {
      name: coach.name,
      email: coach.email,
      timezone: coach.timezone,
      bio: coach.bio,
      photoUrl: coach.photoUrl ?? "",
      videoLink: coach.videoLink ?? "",
    },
    timezones: timezoneOptions(coach.timezone),
    future: futureBookingsOf(getDb(), coach.id, new Date()).map((booking) => ({
      id: booking.id,
      when: formatSession(booking.startAt, booking.startAt, coach.timezone).split(" to ")[0]!,
      client: booking.clientName,
      service: booking.serviceName,
      status: booking.status,
    })),
    confirmingDeactivation: url.searchParams.get("do") === "deactivate",
    done: url.searchParams.get("done"),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  await requireOwner(request);
  const coach = coachOf(params.id);
  const db = getDb();
  const formData = await request.formData();
  const intent = formData.get("intent");
  if (intent === "deactivate" || intent === "reactivate") {
    setCoachActive(db, coach.id, intent === "reactivate");
    return redirect(`/coach/coaches/${coach.id}?done=${intent}`, 303);
  }
  const submission = parseWithZod(formData, { schema: coachSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  if (emailTaken(db, submission.value.email, coach.id))
    return rejectField(submission, "email", "Another coach already has this email address.");
  updateCoach(db, coach.id, submission.value);
  return redirect(`/coach/coaches/${coach.id}?done=saved`, 303);
}

const DONE: Record<string, string> = {
  saved: "Saved.",
  deactivate: "Deactivated: clients can no longer book them.",
  reactivate: "Taking bookings again.",
};

export default function CoachPage() {
  const { coach, values, timezones, future, confirmingDeactivation, done } =
    useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm<CoachForm>({ id: "coach", lastResult, defaultValue: values });
  return (
    <div className="coach-page">
      <p className="back-link">
        <Link to="/coach/coaches">← Coaches</Link>
      </p>
      <h1>
        {coach.name}{" "}
        {coach.active ? null : <span className="badge badge-inactive">Deactivated</span>}
      </h1>
      {done && DONE[done] ? <Done>{DONE[done]}</Done> : null}
      <p>
        <Link to={`/coach/coaches/${coach.id}/availability`}>
          Hours, days off and booking rules →
        </Link>
      </p>
      <Form method="post" {...getFormProps(form)} noValidate>
        <CoachFields fields={fields} timezones={timezones} />
        <SubmitButton pendingText="Saving…">Save</SubmitButton>
      </Form>

      <h2>{coach.active ? "Deactivate" : "Reactivate"}</h2>
      {coach.active ? (
        confirmingDeactivation ? (
          <Form method="post" className="confirm">
            <input type="hidden" name="intent" value="deactivate" />
            <h3>Deactivate {coach.name}?</h3>
            <p>
              Clients can no longer book them. Bookings already made stay as they are
              {future.length ? ": handle these yourself (open each to cancel or refund)" : "."}
            </p>
            <FutureBookings future={future} />
            <div className="button-row">
              <SubmitButton pendingText="Deactivating…">Deactivate</SubmitButton>
              <Link to="." className="button">
                Go back
              </Link>
            </div>
          </Form>
        ) : (
          <p>
            <Link to="?do=deactivate" className="button">
              Deactivate…
            </Link>
          </p>
        )
      ) : (
        <>
          <FutureBookings future={future} />
          <Form method="post">
            <input type="hidden" name="intent" value="reactivate" />
            <SubmitButton pendingText="Working…" primary={false}>
              Take bookings again
            </SubmitButton>
          </Form>
        </>
      )}
    </div>
  );
}

function FutureBookings({
  future,
}: {
  future: { id: string; when: string; client: string; service: string; status: string }[];
}) {
  if (!future.length) return null;
  return (
    <ul role="list" className="attention-list">
      {future.map((booking) => (
        <li key={booking.id}>
          <Link to={`/coach/bookings/${booking.id}`}>
            {booking.when}: {booking.client}, {booking.service}
          </Link>{" "}
          <StatusBadge status={booking.status} />
        </li>
      ))}
    </ul>
  );
}
