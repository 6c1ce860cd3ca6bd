import { parseWithZod } from "@conform-to/zod/v4";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSubmit } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { timeStepSchema, timezoneSchema } from "~/wizard/schemas";
import { guardStep, redirectToStep } from "~/http/wizard.server";
import { canonicalTimeZone, timezoneOptions } from "~/lib/timezones";
import { chooseTime, chooseTimezone } from "~/wizard/steps.server";
import { buildWeek } from "~/availability/week.server";
import { loadWizard, previousStep, stepPosition } from "~/wizard/wizard.server";
import { STEP_PATH, STEP_TITLE } from "~/wizard/step-names";
import { WeekPicker } from "~/components/week-picker";
import { FieldError, Notice, SubmitButton, WizardHeader } from "~/components/wizard";
import { getDb } from "~db/database.server";

export const meta: MetaFunction = () => [{ title: "Choose a day and time · Book" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const now = new Date();
  const wizard = await loadWizard(request, db, now);
  guardStep(wizard, "time");
  const url = new URL(request.url);
  const back = previousStep(wizard, "time")!;
  const zone = wizard.timezone!;
  return {
    position: stepPosition(wizard, "time"),
    back: { to: STEP_PATH[back], label: back === "coach" ? "Coach" : "Session" },
    heading: `${wizard.service!.name} with ${wizard.offer!.coach.name}`,
    week: buildWeek(db, {
      offer: wizard.offer!,
      zone,
      requestedWeek: url.searchParams.get("week"),
      selected: wizard.draft!.startAt,
      now,
      viewer: { forDraft: wizard.draft!.id },
    }),
    timezones: timezoneOptions(zone),
    // The client has not chosen a zone yet: with JavaScript on, the browser's is used instead.
    zoneChosen: wizard.draft!.clientTimezone !== null,
    justTaken: url.searchParams.get("taken") === "1",
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const formData = await request.formData();
  const db = getDb();
  const now = new Date();
  const wizard = await loadWizard(request, db, now);
  guardStep(wizard, "time");
  const week = new URL(request.url).searchParams.get("week");
  const stay = week ? `?week=${encodeURIComponent(week)}` : "";

  if (formData.get("intent") === "timezone") {
    const submission = parseWithZod(formData, { schema: timezoneSchema });
    if (submission.status !== "success")
      return data({ field: "timezone", ...submission.reply() }, { status: 400 });
    const draft = chooseTimezone(db, wizard, submission.value.timezone, now)!;
    return redirectToStep(draft, "time", stay);
  }

  const submission = parseWithZod(formData, { schema: timeStepSchema });
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
  const { position, back, heading, week, timezones, zoneChosen, justTaken } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.error ?? {};
  const submit = useSubmit();
  useBrowserTimezone(zoneChosen, week.zone);
  const weekQuery = `?week=${week.weekStart}`;

  return (
    <div className="wizard">
      <WizardHeader position={position} title={STEP_TITLE.time} back={back} />
      <p>{heading}</p>
      {justTaken ? (
        <Notice tone="error">
          That time was just taken by someone else. Please choose another; everything else is kept.
        </Notice>
      ) : null}

      <Form
        method="post"
        action={`${STEP_PATH.time}${weekQuery}`}
        className="timezone-form"
        noValidate
      >
        <label htmlFor="timezone">Show times in</label>
        <div className="inline-field">
          <select
            id="timezone"
            name="timezone"
            defaultValue={week.zone}
            key={week.zone}
            aria-describedby="timezone-error"
            aria-invalid={errors.timezone ? true : undefined}
            onChange={(event) =>
              submit(event.currentTarget.form, { replace: true, preventScrollReset: true })
            }
          >
            {timezones.map((zone) => (
              <option key={zone.value} value={zone.value}>
                {zone.label}
              </option>
            ))}
          </select>
          <input type="hidden" name="intent" value="timezone" />
          <SubmitButton name="intent" value="timezone" pendingText="Updating…" primary={false}>
            Update times
          </SubmitButton>
        </div>
        <FieldError id="timezone-error" errors={errors.timezone} />
      </Form>

      <p className="zone-note">
        Times are shown in <strong>{week.zoneLabel}</strong> ({week.zoneOffset}).
      </p>

      <WeekPicker
        week={week}
        method="post"
        action={`${STEP_PATH.time}${weekQuery}`}
        errors={errors.startAt}
      />
    </div>
  );
}
