import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import {
  confirmFreeBooking,
  IncompleteDraftError,
  SlotTakenError,
} from "~/booking/bookings.server";
import { formatSession } from "~/booking/display.server";
import { redirectToStep } from "~/booking/steps.server";
import { guardStep, loadWizard, stepPosition } from "~/booking/wizard.server";
import { STEP_PATH, STEP_TITLE } from "~/booking/step-names";
import { Notice, SubmitButton, SummaryRow, WizardHeader } from "~/components/wizard";
import { formatDuration, formatPrice } from "~/format";
import { getDb } from "~db/database.server";

export const meta: MetaFunction = () => [{ title: "Review and confirm · Book" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const wizard = await loadWizard(request, getDb(), new Date());
  guardStep(wizard, "review");
  const { draft, offer } = wizard;
  const start = draft!.startAt!;
  const end = new Date(start.getTime() + offer!.service.durationMinutes * 60_000);
  return {
    position: stepPosition(wizard, "review"),
    coachStep: wizard.steps.includes("coach"),
    free: offer!.service.priceMinor === 0,
    summary: {
      service: `${offer!.service.name} (${formatDuration(offer!.service.durationMinutes)})`,
      coach: offer!.coach.name,
      when: formatSession(start, end, draft!.clientTimezone!),
      price: formatPrice(offer!.service.priceMinor, offer!.service.currency),
      name: draft!.clientName!,
      email: draft!.clientEmail!,
      notes: draft!.clientNotes ?? "",
    },
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const db = getDb();
  const now = new Date();
  const wizard = await loadWizard(request, db, now);
  guardStep(wizard, "review");
  const intent = (await request.formData()).get("intent");
  if (intent === "pay") {
    return data(
      {
        message: "Online payment isn’t switched on yet. Please choose the free intro call for now.",
      },
      { status: 409 },
    );
  }
  if (intent !== "confirm")
    return data({ message: "Use the button below to confirm your booking." }, { status: 400 });
  try {
    confirmFreeBooking(db, wizard.draft!.id, now);
  } catch (error) {
    if (error instanceof SlotTakenError) return redirectToStep(wizard.draft!, "time", "?taken=1");
    if (error instanceof IncompleteDraftError)
      return data({ message: error.message }, { status: 409 });
    throw error;
  }
  return redirect("/book/confirmed", 303);
}

export default function ReviewStep() {
  const { position, coachStep, free, summary } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="wizard">
      <WizardHeader
        position={position}
        title={STEP_TITLE.review}
        back={{ to: STEP_PATH.details, label: "Your details" }}
      />
      {result?.message ? <Notice tone="error">{result.message}</Notice> : null}
      <dl className="summary">
        <SummaryRow term="Session" change={{ to: STEP_PATH.service, what: "session" }}>
          {summary.service}
        </SummaryRow>
        <SummaryRow
          term="Coach"
          change={coachStep ? { to: STEP_PATH.coach, what: "coach" } : undefined}
        >
          {summary.coach}
        </SummaryRow>
        <SummaryRow term="When" change={{ to: STEP_PATH.time, what: "day and time" }}>
          {summary.when}
        </SummaryRow>
        <SummaryRow term="Price">{summary.price}</SummaryRow>
        <SummaryRow term="Your details" change={{ to: STEP_PATH.details, what: "your details" }}>
          {summary.name}
          <br />
          {summary.email}
          {summary.notes ? (
            <>
              <br />
              <span className="notes">“{summary.notes}”</span>
            </>
          ) : null}
        </SummaryRow>
      </dl>
      <Form method="post">
        {free ? (
          <SubmitButton name="intent" value="confirm" pendingText="Confirming…">
            Confirm booking
          </SubmitButton>
        ) : (
          <SubmitButton name="intent" value="pay" pendingText="Going to payment…">
            Continue to payment ({summary.price})
          </SubmitButton>
        )}
      </Form>
    </div>
  );
}
