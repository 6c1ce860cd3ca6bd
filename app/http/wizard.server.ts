/**
 * The wizard's answers over HTTP: where a step sends the client, and what each thing that can go
 * wrong at the end of the wizard looks like as a response. Route modules use these; the domain
 * (app/wizard/, app/payments/) only returns results and throws typed errors.
 */
import { data, redirect } from "@remix-run/node";
import { CheckoutUnavailableError } from "~/payments/checkout.server";
import { IncompleteDraftError, SlotTakenError } from "~/wizard/draft-booking.server";
import { draftCookieHeader } from "~/wizard/draft-cookie.server";
import type { Draft } from "~/wizard/drafts.server";
import { STEP_PATH, type Step } from "~/wizard/step-names";
import { isStepReachable, type Wizard } from "~/wizard/wizard.server";

/** 303 to a step, refreshing the draft cookie (so its 24 hours restart with every step). */
export async function redirectToStep(draft: Draft, step: Step, search = "") {
  return redirect(`${STEP_PATH[step]}${search}`, {
    status: 303,
    headers: { "Set-Cookie": await draftCookieHeader(draft.id) },
  });
}

/** A step opened before the ones it depends on are done sends the client to the first undone one. */
export function guardStep(wizard: Wizard, step: Step) {
  if (!isStepReachable(wizard, step)) throw redirect(STEP_PATH[wizard.firstIncomplete], 303);
}

/**
 * The answer to a failed confirm or Pay: a taken slot goes back to the time step (everything else
 * kept), a Stripe outage and an incomplete draft are explained on the review step. Anything else
 * is not ours to explain and is thrown on.
 */
export function bookingFailureResponse(error: unknown, draft: Draft) {
  if (error instanceof SlotTakenError) return redirectToStep(draft, "time", "?taken=1");
  if (error instanceof CheckoutUnavailableError)
    return data({ message: error.message }, { status: 503 });
  if (error instanceof IncompleteDraftError)
    return data({ message: error.message }, { status: 409 });
  throw error;
}
