/**
 * A coach's availability editor: weekly hours, days off and special hours, booking rules and
 * timezone, and a preview of the next two weeks' bookable times from the engine clients see. The
 * owner may edit any coach's, a coach only their own. Each form posts with an `intent`: 303 back
 * here with what was saved, or 400 with the messages next to the fields and the typed values kept.
 */
import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import {
  addOverrides,
  addOverrideSchema,
  bookingRulesSchema,
  coachForEditing,
  describeDates,
  loadAvailabilityEditor,
  previewTimes,
  removeOverrides,
  removeOverrideSchema,
  saveCoachRules,
  saveWeeklyHours,
  SLOT_INTERVALS,
  todayIn,
  WEEKDAYS,
  weeklyHoursSchema,
} from "~/availability/rules-admin.server";
import {
  AddOverrideForm,
  BookingRulesForm,
  OverrideList,
  PreviewList,
  PreviewServiceForm,
  WeeklyHoursForm,
} from "~/components/availability-form";
import { Done } from "~/components/coach";
import { Notice } from "~/components/wizard";
import { forbidden, notFound, requireUser } from "~/http/auth.server";
import { formatTime, zoneLabel } from "~/lib/time-format";
import { timezoneOptions } from "~/lib/timezones";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle<{ coach: { name: string } }> = {
  title: (data) => (data ? `${data.coach.name}: availability` : "Availability"),
};

/** What the page says after a save (`?saved=<key>`). */
const SAVED = {
  weekly: "Weekly hours saved.",
  "days-off": "Days off saved.",
  "special-hours": "Special hours saved.",
  removed: "Removed: those dates follow the weekly hours again.",
  "already-removed": "Nothing to remove: those dates already follow the weekly hours.",
  rules: "Booking rules saved.",
} as const;
type Saved = keyof typeof SAVED;

const editorPath = (coachId: number) => `/coach/coaches/${coachId}/availability`;

/** The coach this user may edit, with the user; or a 404 / 403 response. */
async function guardedCoach(request: Request, id: string | undefined) {
  const user = await requireUser(request);
  const access = coachForEditing(getDb(), user, id);
  if ("refused" in access) throw access.refused === "not_found" ? notFound() : forbidden();
  return { user, coach: access.found };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, coach } = await guardedCoach(request, params.id);
  const db = getDb();
  const now = new Date();
  const url = new URL(request.url);
  const editor = loadAvailabilityEditor(db, coach, now);
  const preview = previewTimes(db, coach.id, now, url.searchParams.get("service"));
  const saved = url.searchParams.get("saved") ?? "";
  return {
    coach: { id: coach.id, name: coach.name, active: coach.active, zone: coach.timezone },
    zoneLabel: zoneLabel(coach.timezone),
    path: editorPath(coach.id),
    back: user.role === "owner" ? { to: "/coach/coaches", label: "Coaches" } : null,
    weekdays: WEEKDAYS.map(({ field, name }) => ({ field, name })),
    intervals: [...SLOT_INTERVALS],
    timezones: timezoneOptions(coach.timezone),
    editor: {
      ...editor,
      overrides: editor.overrides.map((entry) => ({
        ...entry,
        dates: describeDates(entry.from, entry.to),
      })),
    },
    preview: {
      services: preview.services.map((s) => ({
        value: s.slug,
        label: `${s.name} (${s.durationMinutes} minutes)`,
      })),
      service: preview.service,
      bookable: preview.bookable,
      days: preview.days.map((day) => ({
        date: day.date,
        heading: day.heading,
        times: day.starts.map((start) => ({
          value: new Date(start).toISOString(),
          label: formatTime(start, coach.timezone),
        })),
      })),
    },
    saved: saved in SAVED ? SAVED[saved as Saved] : null,
  };
}

type Intent = "weekly" | "add-override" | "remove-override" | "rules";

export async function action({ request, params }: ActionFunctionArgs) {
  const { coach } = await guardedCoach(request, params.id);
  const db = getDb();
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "") as Intent;
  const back = (saved: Saved, section: string) =>
    redirect(`${editorPath(coach.id)}?saved=${saved}#${section}`, 303);
  // A failed save is a 400. With JavaScript on, Conform also asks here to check a field on blur
  // (its "validate" intent, with no status): that answer is not a failed save, so a 200.
  const refuse = (
    submission: { status?: string; reply: () => SubmissionResult<string[]> },
    message = "",
  ) =>
    data(
      { intent, result: submission.reply(), message },
      { status: submission.status === "error" ? 400 : 200 },
    );

  if (intent === "weekly") {
    const submission = parseWithZod(formData, { schema: weeklyHoursSchema });
    if (submission.status !== "success") return refuse(submission);
    saveWeeklyHours(db, coach.id, submission.value);
    return back("weekly", "weekly-hours");
  }
  if (intent === "add-override") {
    const schema = addOverrideSchema(todayIn(coach.timezone, new Date()));
    const submission = parseWithZod(formData, { schema });
    if (submission.status !== "success") return refuse(submission);
    addOverrides(db, coach.id, submission.value);
    return back(submission.value.hours ? "special-hours" : "days-off", "days-off");
  }
  if (intent === "remove-override") {
    const submission = parseWithZod(formData, { schema: removeOverrideSchema });
    if (submission.status !== "success")
      return refuse(submission, "Those dates could not be read. Reload the page and try again.");
    const removed = removeOverrides(db, coach.id, submission.value);
    return back(removed > 0 ? "removed" : "already-removed", "days-off");
  }
  if (intent === "rules") {
    const submission = parseWithZod(formData, { schema: bookingRulesSchema });
    if (submission.status !== "success") return refuse(submission);
    saveCoachRules(db, coach.id, submission.value);
    return back("rules", "booking-rules");
  }
  return data(
    { intent, result: null, message: "That form isn’t one this page knows. Reload and try again." },
    { status: 400 },
  );
}

const SECTION_NAMES: Record<Intent, string> = {
  weekly: "Weekly hours",
  "add-override": "Days off and special hours",
  "remove-override": "Days off and special hours",
  rules: "Booking rules",
};

export default function AvailabilityEditor() {
  const { coach, zoneLabel, path, back, weekdays, intervals, timezones, editor, preview, saved } =
    useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const resultFor = (intent: Intent) => (answer?.intent === intent ? answer.result : null);
  const failed = answer && (answer.message || answer.result?.status === "error");
  return (
    <div className="coach-page">
      <p className="back-link">
        <Link to={back?.to ?? "/coach"}>← {back?.label ?? "Bookings"}</Link>
      </p>
      <h1>{coach.name}: availability</h1>
      <p>
        Hours and dates are in <strong>{zoneLabel}</strong> ({coach.zone}).
        {coach.active
          ? null
          : " This coach is inactive: clients can’t book them until they are active again."}
      </p>
      {saved && !answer ? <Done>{saved}</Done> : null}
      {failed ? (
        <Notice tone="error">
          {answer.message ||
            `Nothing was saved: see the message next to the field in ${SECTION_NAMES[answer.intent] ?? "the form"}.`}
        </Notice>
      ) : null}

      <section aria-labelledby="weekly-hours">
        <h2 id="weekly-hours">Weekly hours</h2>
        <WeeklyHoursForm
          key={JSON.stringify(editor.weekly)}
          action={path}
          weekdays={weekdays}
          defaults={editor.weekly}
          lastResult={resultFor("weekly")}
        />
      </section>

      <section aria-labelledby="days-off">
        <h2 id="days-off">Days off and special hours</h2>
        <p>These replace the weekly hours on their dates. Past dates are not listed.</p>
        <OverrideList action={path} items={editor.overrides} />
        <h3>Add days off or special hours</h3>
        <AddOverrideForm
          key={JSON.stringify(editor.overrides)}
          action={path}
          today={editor.today}
          lastResult={resultFor("add-override")}
        />
      </section>

      <section aria-labelledby="booking-rules">
        <h2 id="booking-rules">Booking rules</h2>
        <BookingRulesForm
          key={JSON.stringify(editor.rules)}
          action={path}
          defaults={editor.rules}
          intervals={intervals}
          timezones={timezones}
          lastResult={resultFor("rules")}
        />
      </section>

      <section aria-labelledby="preview">
        <h2 id="preview">Preview</h2>
        <PreviewIntro preview={preview} zoneLabel={zoneLabel} />
        {preview.services.length > 1 ? (
          <PreviewServiceForm
            action={path}
            services={preview.services}
            chosen={preview.service?.slug ?? ""}
          />
        ) : null}
        {preview.service && preview.bookable ? <PreviewList days={preview.days} /> : null}
      </section>
    </div>
  );
}

function PreviewIntro({
  preview,
  zoneLabel,
}: {
  preview: { service: { name: string; durationMinutes: number } | null; bookable: boolean };
  zoneLabel: string;
}) {
  if (!preview.service)
    return <p>This coach gives no sessions yet, so there is nothing to book.</p>;
  if (!preview.bookable) return <p>Clients can’t book this coach while they are inactive.</p>;
  return (
    <p>
      What clients can book in the next two weeks for {preview.service.name} (
      {preview.service.durationMinutes} minutes), in {zoneLabel}: the times the booking pages offer
      right now, with notice, buffers, limits and existing bookings taken into account.
    </p>
  );
}
