/**
 * The booking wizard's map: its steps, which of them a draft has completed, and where a client
 * belongs. Route modules call `loadWizard`, send a client who skipped ahead to `firstIncomplete`
 * (app/http/wizard.server.ts), then render.
 */
import {
  findBookableOffer,
  findServiceById,
  listCoachesForService,
  type BookableOffer,
  type CoachChoice,
  type ServiceChoice,
} from "~/catalogue/catalogue.server";
import { listQuestions, missingAnswers, readDraftAnswers } from "~/catalogue/intake.server";
import type { Db } from "~db/database.server";
import { readDraftId } from "./draft-cookie.server";
import { findOpenDraft, type Draft } from "./drafts.server";
import { STEPS, type Step } from "./step-names";
import { guessZoneFromAcceptLanguage } from "~/lib/zone-guess";

export type Wizard = {
  draft: Draft | null;
  service: ServiceChoice | null;
  /** Coaches who give the chosen service. */
  coaches: CoachChoice[];
  /** The chosen coach and service, when the coach gives it. */
  offer: BookableOffer | null;
  /** The steps this client walks: the coach step is left out when only one coach gives the service. */
  steps: Step[];
  firstIncomplete: Step;
  /**
   * The zone times are shown in: the client's choice; else a guess from the browser's language
   * (its country), which the page says is a guess; else the coach's.
   */
  timezone: string | null;
  timezoneSource: "chosen" | "guessed" | "coach";
};

function zoneOf(request: Request, draft: Draft | null, offer: BookableOffer | null) {
  if (draft?.clientTimezone)
    return { timezone: draft.clientTimezone, timezoneSource: "chosen" as const };
  const guess = guessZoneFromAcceptLanguage(request.headers.get("accept-language"));
  if (guess) return { timezone: guess, timezoneSource: "guessed" as const };
  return { timezone: offer?.coach.timezone ?? null, timezoneSource: "coach" as const };
}

function firstIncompleteStep(
  db: Db,
  draft: Draft | null,
  service: ServiceChoice | null,
  offer: BookableOffer | null,
): Step {
  if (!draft || !service) return "service";
  if (!offer) return "coach";
  if (!draft.startAt) return "time";
  if (!draft.clientName || !draft.clientEmail || !draft.clientTimezone) return "details";
  // The session asks something not answered yet (its questions may have changed since).
  const unanswered = missingAnswers(
    listQuestions(db, service.id),
    readDraftAnswers(draft.intakeAnswers),
  );
  if (unanswered.length > 0) return "details";
  return "review";
}

export async function loadWizard(request: Request, db: Db, now: Date): Promise<Wizard> {
  const draft = findOpenDraft(db, await readDraftId(request), now);
  const service = findServiceById(db, draft?.serviceId ?? null);
  const coaches = service ? listCoachesForService(db, service.id) : [];
  const offer = service && draft?.coachId ? findBookableOffer(db, draft.coachId, service.id) : null;
  const steps = STEPS.filter((step) => step !== "coach" || coaches.length !== 1);
  return {
    draft,
    service,
    coaches,
    offer,
    steps,
    firstIncomplete: firstIncompleteStep(db, draft, service, offer),
    ...zoneOf(request, draft, offer),
  };
}

/** Whether the steps this one depends on are done. */
export function isStepReachable(wizard: Pick<Wizard, "firstIncomplete">, step: Step): boolean {
  return STEPS.indexOf(step) <= STEPS.indexOf(wizard.firstIncomplete);
}

export function nextStep(wizard: Pick<Wizard, "steps">, step: Step): Step {
  return wizard.steps[wizard.steps.indexOf(step) + 1] ?? "review";
}

export function previousStep(wizard: Pick<Wizard, "steps">, step: Step): Step | null {
  const index = wizard.steps.indexOf(step);
  return index > 0 ? wizard.steps[index - 1]! : null;
}

/** "Step 3 of 5" for the indicator. */
export function stepPosition(wizard: Pick<Wizard, "steps">, step: Step) {
  return { number: wizard.steps.indexOf(step) + 1, of: wizard.steps.length };
}
