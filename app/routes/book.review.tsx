import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Fragment } from "react";
import { bookedAnswers, listQuestions, readDraftAnswers } from "~/catalogue/intake.server";
import { Notice, SubmitButton, SummaryRow, WizardHeader } from "~/components/wizard";
import { bookingFailureResponse, guardStep } from "~/http/wizard.server";
import { publicUrl } from "~/http/public-url.server";
import { formatDuration, formatPrice } from "~/lib/format";
import { getStripe } from "~/lib/stripe.server";
import { describePolicy, readPolicy } from "~/catalogue/policy.server";
import { formatSession } from "~/lib/time-format";
import { cancelCheckout, startCheckout } from "~/payments/checkout.server";
import { confirmFreeBooking } from "~/wizard/draft-booking.server";
import { recordReachedReview } from "~/wizard/funnel.server";
import { STEP_PATH, STEP_TITLE } from "~/wizard/step-names";
import { loadWizard, stepPosition } from "~/wizard/wizard.server";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "Review and confirm · Book" };

export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  let wizard = await loadWizard(request, db, new Date());
  guardStep(wizard, "review");
  // Back from Stripe's cancel link: end that session and release the hold, ready to pay again.
  const cancelled = new URL(request.url).searchParams.get("checkout") === "cancelled";
  if (cancelled && wizard.draft) {
    const next = await cancelCheckout(db, getStripe(), wizard.draft, {
      appUrl: publicUrl(request),
    });
    if (next !== "review")
      throw redirect(`/book/return?session_id=${encodeURIComponent(next.paidSession)}`);
    wizard = await loadWizard(request, db, new Date());
  }
  const { draft, offer } = wizard;
  const questions = listQuestions(db, offer!.service.id);
  const answers = readDraftAnswers(draft!.intakeAnswers);
  if (offer!.service.priceMinor > 0) recordReachedReview(db, draft!.id, new Date());
  const start = draft!.startAt!;
  const end = new Date(start.getTime() + offer!.service.durationMinutes * 60_000);
  return {
    cancelled,
    position: stepPosition(wizard, "review"),
    coachStep: wizard.steps.includes("coach"),
    free: offer!.service.priceMinor === 0,
    // Read before paying: what changing one's mind later costs.
    policy: describePolicy(readPolicy(db), { paid: offer!.service.priceMinor > 0 }),
    summary: {
      service: `${offer!.service.name} (${formatDuration(offer!.service.durationMinutes)})`,
      coach: offer!.coach.name,
      when: formatSession(start, end, draft!.clientTimezone!),
      price: formatPrice(offer!.service.priceMinor, offer!.service.currency),
      name: draft!.clientName!,
      email: draft!.clientEmail!,
      notes: draft!.clientNotes ?? "",
      answers: bookedAnswers(questions, answers).map(({ question, kind, answer }) => ({
        question,
        // A ticked consent box is stored as "yes": say what it means.
        answer: kind === "consent" ? "Agreed" : answer,
      })),
    },
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const db = getDb();
  const now = new Date();
  const wizard = await loadWizard(request, db, now);
  guardStep(wizard, "review");
  const draft = wizard.draft!;
  const intent = (await request.formData()).get("intent");
  if (intent !== "pay" && intent !== "confirm")
    return data({ message: "Use the button below to confirm your booking." }, { status: 400 });
  const appUrl = publicUrl(request);
  try {
    if (intent === "confirm") {
      confirmFreeBooking(db, draft.id, { now, appUrl });
      return redirect("/book/confirmed", 303);
    }
    const checkout = await startCheckout(db, getStripe(), draft.id, { appUrl, now });
    return redirect(checkout.redirectTo, 303);
  } catch (error) {
    return bookingFailureResponse(error, draft);
  }
}

export default function ReviewStep() {
  const { cancelled, position, coachStep, free, summary, policy } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="wizard">
      <WizardHeader
        position={position}
        title={STEP_TITLE.review}
        back={{ to: STEP_PATH.details, label: "Your details" }}
      />
      {result?.message ? <Notice tone="error">{result.message}</Notice> : null}
      {cancelled && !result ? (
        <Notice>
          Payment cancelled: nothing was charged. Everything is still here when you’re ready.
        </Notice>
      ) : null}
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
        {summary.answers.length ? (
          <SummaryRow term="Your answers" change={{ to: STEP_PATH.details, what: "your answers" }}>
            {summary.answers.map((item, index) => (
              <Fragment key={index}>
                {index > 0 ? <br /> : null}
                <span className="notes">{item.question}</span>
                <br />
                {item.answer}
              </Fragment>
            ))}
          </SummaryRow>
        ) : null}
      </dl>
      <section aria-labelledby="policy-heading" className="policy">
        <h2 id="policy-heading">If your plans change</h2>
        {policy.map((line) => (
          <p key={line}>{line}</p>
        ))}
      </section>
      {/* Paying leaves the site for Stripe: a plain document submission lets the browser follow the
          redirect itself, rather than a fetch that the departure aborts mid-flight. */}
      <Form method="post" reloadDocument={!free}>
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
