import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSubmit } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { readTimeStep, readTimezone } from "~/wizard/step-forms.server";
import { guardStep, redirectToStep } from "~/http/wizard.server";
import { canonicalTimeZone, timezoneGroups } from "~/lib/timezones";
import { zoneLabel } from "~/lib/time-format";
import { chooseTime, chooseTimezone } from "~/wizard/steps.server";
import { buildWeek } from "~/availability/week.server";
import { loadWizard, previousStep, stepPosition } from "~/wizard/wizard.server";
import { STEP_PATH, STEP_TITLE } from "~/wizard/step-names";
import { WeekPicker } from "~/components/week-picker";
import { TimezoneSelect } from "~/components/timezone-select";
import { FieldError, Notice, SubmitButton, WizardHeader } from "~/components/wizard";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";
import { ErrorSummary } from "~/components/error-summary";

export const handle: PageHandle = { title: "Choose a day and time · Book" };

export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const now = new Date();
  const wizard = await loadWizard(request, db, now);
  guardStep(wizard, "time");
  const url = new URL(request.url);
  const back = previousStep(wizard, "time")!;
  const zone = wizard.timezone!;
  const allZones = url.searchParams.get("zones") === "all";
  return {
    position: stepPosition(wizard, "time"),
    back: { to: STEP_PATH[back], label: back === "coach" ? "Coach" : "Session" },
    heading: `${wizard.service!.name} with ${wizard.offer!.coach.name}`,
    week: buildWeek(db, {
      offer: wizard.offer!,
      zone,
      requestedWeek: url.searchParams.get("week"),
      requestedDay: url.searchParams.get("day"),
      selected: wizard.draft!.startAt,
      now,
      viewer: { forDraft: wizard.draft!.id },
    }),
    zone: { label: zoneLabel(zone), source: wizard.timezoneSource },
    // The likely zones keep the page small; every zone is a link away (`?zones=all`).
    allZones,
    timezones: timezoneGroups({
      current: zone,
      suggested: [wizard.offer!.coach.timezone],
      now,
      compact: true,
      regions: allZones ? "all" : "none",
    }),
    // The client has not chosen a zone yet: with JavaScript on, the browser's is used instead.
    zoneChosen: wizard.timezoneSource === "chosen",
    justTaken: url.searchParams.get("taken") === "1",
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const formData = await request.formData();
  const db = getDb();
  const now = new Date();
  const wizard = await loadWizard(request, db, now);
  guardStep(wizard, "time");
  const stay = new URL(request.url).search;

  if (formData.get("intent") === "timezone") {
    const submission = readTimezone(formData);
    if (submission.status !== "success")
      return data({ field: "timezone", ...submission.reply() }, { status: 400 });
    const draft = chooseTimezone(db, wizard, submission.value.timezone, now)!;
    return redirectToStep(draft, "time", stay);
  }

  const submission = readTimeStep(formData);
  if (submission.status !== "success")
    return data({ field: "startAt", ...submission.reply() }, { status: 400 });
  const chosen = chooseTime(db, wizard, new Date(submission.value.startAt), now);
  if (!chosen) {
    return data(
      {
        field: "startAt",
        ...submission.reply({
          fieldErrors: { startAt: ["That time isn’t available. Choose one of the times shown."] },
        }),
      },
      { status: 400 },
    );
  }
  return redirectToStep(chosen.draft, chosen.next);
}

/** With JavaScript on and no zone chosen yet, show times in the browser's zone. */
function useBrowserTimezone(zoneChosen: boolean, current: string) {
  const submit = useSubmit();
  const asked = useRef(false);
  useEffect(() => {
    if (zoneChosen || asked.current) return;
    const browserZone = canonicalTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone);
    if (!browserZone || browserZone === current) return;
    asked.current = true;
    submit(
      { intent: "timezone", timezone: browserZone },
      { method: "post", replace: true, preventScrollReset: true },
    );
  }, [zoneChosen, current, submit]);
}

export default function TimeStep() {
  const { position, back, heading, week, zone, allZones, timezones, zoneChosen, justTaken } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.error ?? {};
  useBrowserTimezone(zoneChosen, week.zone);
  useEffect(() => {
    // JavaScript on: "Another timezone…" is gone once pressed; the list it opened takes focus.
    if (allZones) document.getElementById("timezone")?.focus();
  }, [allZones]);
  const shown = `?week=${week.weekStart}&day=${week.day.date}`;

  return (
    <div className="wizard">
      <WizardHeader position={position} title={STEP_TITLE.time} back={back} />
      <ErrorSummary
        problems={(["timezone", "startAt"] as const).flatMap((field) =>
          errors[field]?.length ? [{ fieldId: field, message: errors[field]![0]! }] : [],
        )}
        answer={result}
      />
      <p>{heading}</p>
      {justTaken ? (
        <Notice tone="error">
          That time was just taken by someone else. Please choose another; everything else is kept.
        </Notice>
      ) : null}

      <section className="timezone-choice" aria-label="Timezone">
        <p id="zone-source">
          Times are shown in <strong>{zone.label}</strong>.{" "}
          {zone.source === "guessed"
            ? "We guessed it from your browser’s language settings: change it if it is not yours."
            : zone.source === "coach"
              ? "That is your coach’s timezone: change it if yours is different."
              : null}
        </p>
        <Form method="post" action={`${STEP_PATH.time}${shown}`} noValidate>
          <input type="hidden" name="intent" value="timezone" />
          <TimezoneSelect
            label="Show times in"
            groups={timezones}
            id="timezone"
            name="timezone"
            selectKey={week.zone}
            defaultValue={week.zone}
            // Asked for the whole list: straight into it.
            // eslint-disable-next-line jsx-a11y/no-autofocus
            autoFocus={allZones}
            aria-describedby="zone-source timezone-error"
            aria-invalid={errors.timezone ? true : undefined}
          >
            <SubmitButton name="intent" value="timezone" pendingText="Updating…" primary={false}>
              Update times
            </SubmitButton>
          </TimezoneSelect>
          <FieldError id="timezone-error" errors={errors.timezone} />
        </Form>
        {allZones ? null : (
          <p>
            <Link to={`${shown}&zones=all`} preventScrollReset>
              Another timezone…
            </Link>
          </p>
        )}
      </section>

      <WeekPicker
        week={week}
        method="post"
        action={`${STEP_PATH.time}${shown}`}
        errors={errors.startAt}
      />
    </div>
  );
}
