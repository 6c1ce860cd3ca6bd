import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { rejectField } from "~/http/forms.server";
import { guardStep, redirectToStep } from "~/http/wizard.server";
import { readCoachStep } from "~/wizard/step-forms.server";
import { chooseCoach } from "~/wizard/steps.server";
import { loadWizard, nextStep, stepPosition } from "~/wizard/wizard.server";
import { STEP_PATH, STEP_TITLE } from "~/wizard/step-names";
import { ChoiceList, SubmitButton, WizardHeader } from "~/components/wizard";
import { timezoneCity } from "~/lib/format";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";
import { ErrorSummary, problemsOf } from "~/components/error-summary";
import { formFromReply } from "~/components/form-reply";

export const handle: PageHandle = { title: "Choose a coach · Book" };

export async function loader({ request }: LoaderFunctionArgs) {
  const wizard = await loadWizard(request, getDb(), new Date());
  guardStep(wizard, "coach");
  // Only one coach gives this session: nothing to choose.
  if (!wizard.steps.includes("coach"))
    return redirectToStep(wizard.draft!, nextStep(wizard, "service"));
  return {
    position: stepPosition(wizard, "coach"),
    serviceName: wizard.service!.name,
    selected: wizard.offer?.coach.id ?? null,
    coaches: wizard.coaches.map((coach) => ({
      id: coach.id,
      slug: coach.slug,
      name: coach.name,
      bio: coach.bio,
      place: `Based in ${timezoneCity(coach.timezone)}`,
    })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const submission = readCoachStep(await request.formData());
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const db = getDb();
  const now = new Date();
  const chosen = chooseCoach(db, await loadWizard(request, db, now), submission.value.coach, now);
  if (!chosen)
    return rejectField(
      submission,
      "coach",
      "That coach doesn’t give this session. Choose one from the list.",
    );
  return redirectToStep(chosen.draft, chosen.next);
}

export default function CoachStep() {
  const { position, serviceName, selected, coaches } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const selectedSlug = coaches.find((coach) => coach.id === selected)?.slug;
  const form = formFromReply("coach-step", lastResult, { coach: selectedSlug });
  const coach = form.field("coach");
  const chosen = coach.initialValue ?? selectedSlug;
  return (
    <div className="wizard">
      <WizardHeader
        position={position}
        title={STEP_TITLE.coach}
        back={{ to: STEP_PATH.service, label: "Session" }}
      />
      {form.status === "error" ? (
        <ErrorSummary problems={problemsOf({ coach })} answer={lastResult} />
      ) : null}
      <p>Who would you like your {serviceName.toLowerCase()} with?</p>
      <Form method="post" id={form.id} noValidate>
        <ChoiceList
          legend="Coach"
          field={coach}
          chosen={chosen}
          choices={coaches.map((coach) => ({
            value: coach.slug,
            title: coach.name,
            meta: coach.place,
            text: coach.bio,
          }))}
        />
        <SubmitButton pendingText="Saving…">Continue</SubmitButton>
      </Form>
    </div>
  );
}
