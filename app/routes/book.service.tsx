import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { rejectField } from "~/http/forms.server";
import { redirectToStep } from "~/http/wizard.server";
import { readServiceStep } from "~/wizard/step-forms.server";
import { chooseService } from "~/wizard/steps.server";
import { loadWizard, stepPosition } from "~/wizard/wizard.server";
import { STEP_TITLE } from "~/wizard/step-names";
import { findActiveCoach, listBookableServices } from "~/catalogue/catalogue.server";
import { ChoiceList, NotTakingBookings, SubmitButton, WizardHeader } from "~/components/wizard";
import { formatDuration, formatPrice } from "~/lib/format";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";
import { ErrorSummary, problemsOf } from "~/components/error-summary";
import { formFromReply } from "~/components/form-reply";

export const handle: PageHandle = { title: "Choose a session · Book" };

export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const wizard = await loadWizard(request, db, new Date());
  const url = new URL(request.url);
  const asked = url.searchParams.get("service");
  return {
    position: stepPosition(wizard, "service"),
    // A session picked on the home page (or "Book again") arrives as ?service=slug and wins; else
    // the draft's choice.
    selected: asked ?? wizard.service?.slug ?? null,
    // "Book again" names the coach too: kept with the form, applied if they give the session.
    coach: findActiveCoach(db, url.searchParams.get("coach")),
    services: listBookableServices(db).map((service) => ({
      slug: service.slug,
      name: service.name,
      description: service.description,
      summary: `${formatDuration(service.durationMinutes)} · ${formatPrice(service.priceMinor, service.currency)}`,
    })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const submission = readServiceStep(await request.formData());
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const db = getDb();
  const now = new Date();
  const chosen = chooseService(
    db,
    await loadWizard(request, db, now),
    submission.value.service,
    now,
    submission.value.coach,
  );
  if (!chosen)
    return rejectField(
      submission,
      "service",
      "That session isn’t available. Choose one from the list.",
    );
  return redirectToStep(chosen.draft, chosen.next);
}

export default function ServiceStep() {
  const { position, selected, coach, services } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const form = formFromReply("service-step", lastResult, { service: selected ?? undefined });
  const service = form.field("service");
  const chosen = service.initialValue ?? selected;
  return (
    <div className="wizard">
      <WizardHeader
        position={position}
        title={STEP_TITLE.service}
        back={{ to: "/", label: "Home" }}
      />
      {form.status === "error" ? (
        <ErrorSummary problems={problemsOf({ service })} answer={lastResult} />
      ) : null}
      {services.length === 0 ? (
        <NotTakingBookings />
      ) : (
        <Form method="post" id={form.id} noValidate>
          {coach ? (
            <>
              <p>With {coach.name}, as last time. You can choose the coach again later.</p>
              <input type="hidden" name="coach" value={coach.slug} />
            </>
          ) : null}
          <ChoiceList
            legend="Session"
            field={service}
            chosen={chosen}
            choices={services.map((service) => ({
              value: service.slug,
              title: service.name,
              meta: service.summary,
              text: service.description,
            }))}
          />
          <SubmitButton pendingText="Saving…">Continue</SubmitButton>
        </Form>
      )}
    </div>
  );
}
