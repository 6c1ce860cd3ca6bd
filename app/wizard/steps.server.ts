/**
 * What each wizard step does to the draft. Each returns the updated draft (and the step that comes
 * next), or null when the submitted choice is not one on offer: the route answers 400 then.
 */
import { and, eq } from "drizzle-orm";
import { isStartAvailable } from "~/availability/availability.server";
import { findBookableOffer, listCoachesForService } from "~/catalogue/catalogue.server";
import { listQuestions } from "~/catalogue/intake.server";
import type { Db } from "~db/database.server";
import { coaches, services } from "~db/schema";
import { saveDraft } from "./drafts.server";
import { answerKey } from "./fields";
import type { DetailsStep } from "./schemas";
import type { Step } from "./step-names";
import { nextStep, type Wizard } from "./wizard.server";

/** Stores the session (and `coachSlug`'s coach, when they offer it: "Book again"). */
export function chooseService(db: Db, wizard: Wizard, slug: string, now: Date, coachSlug?: string) {
  const service = db
    .select({ id: services.id })
    .from(services)
    .where(and(eq(services.slug, slug), eq(services.active, true)))
    .get();
  const offeredBy = service ? listCoachesForService(db, service.id) : [];
  if (!service || offeredBy.length === 0) return null;

  const previous = wizard.draft;
  const sameService = previous?.serviceId === service.id;
  const keepCoach = previous?.coachId && offeredBy.some((coach) => coach.id === previous.coachId);
  const named = coachSlug ? offeredBy.find((coach) => coach.slug === coachSlug) : undefined;
  // One coach, or the one named: the coach step is skipped and the choice made here.
  const decided = offeredBy.length === 1 ? offeredBy[0]! : named;
  const draft = saveDraft(
    db,
    previous?.id ?? null,
    {
      serviceId: service.id,
      coachId: decided ? decided.id : keepCoach ? previous!.coachId : null,
      // A different session (or coach) has different times: the time must be chosen again.
      ...(sameService && (!decided || decided.id === previous?.coachId) ? {} : { startAt: null }),
    },
    now,
  );
  const next: Step = decided ? "time" : "coach";
  return { draft, next };
}

export function chooseCoach(db: Db, wizard: Wizard, slug: string, now: Date) {
  const coach = db.select({ id: coaches.id }).from(coaches).where(eq(coaches.slug, slug)).get();
  if (!wizard.draft || !wizard.service || !coach) return null;
  if (!findBookableOffer(db, coach.id, wizard.service.id)) return null;
  const changed = wizard.draft.coachId !== coach.id;
  const draft = saveDraft(
    db,
    wizard.draft.id,
    { coachId: coach.id, ...(changed ? { startAt: null } : {}) },
    now,
  );
  return { draft, next: nextStep(wizard, "coach") };
}

/** Stores the start if it is one the engine offers right now (forged, past, or taken ones are not). */
export function chooseTime(db: Db, wizard: Wizard, startAt: Date, now: Date) {
  if (!wizard.draft || !wizard.offer) return null;
  if (
    !isStartAvailable(db, wizard.offer, startAt.getTime(), now.getTime(), {
      forDraft: wizard.draft.id,
    })
  )
    return null;
  const draft = saveDraft(db, wizard.draft.id, { startAt }, now);
  return { draft, next: nextStep(wizard, "time") };
}

export function chooseTimezone(db: Db, wizard: Wizard, timezone: string, now: Date) {
  if (!wizard.draft) return null;
  return saveDraft(db, wizard.draft.id, { clientTimezone: timezone }, now);
}

/**
 * Stores the client's details and their answers to the chosen service's questions, by question
 * id. Only that service's questions are kept: answers given to another session's questions (the
 * client went back and changed it) are dropped, never carried over.
 */
export function saveDetails(db: Db, wizard: Wizard, details: DetailsStep, now: Date) {
  if (!wizard.draft) return null;
  const questions = wizard.service ? listQuestions(db, wizard.service.id) : [];
  const answers = Object.fromEntries(
    questions.flatMap((question) => {
      const answer = details.answers?.[answerKey(question.id)];
      return answer ? [[String(question.id), answer]] : [];
    }),
  );
  const draft = saveDraft(
    db,
    wizard.draft.id,
    {
      clientName: details.name,
      clientEmail: details.email,
      clientNotes: details.notes ?? null,
      clientTimezone: details.timezone,
      intakeAnswers: Object.keys(answers).length ? JSON.stringify(answers) : null,
    },
    now,
  );
  return { draft, next: nextStep(wizard, "details") };
}
