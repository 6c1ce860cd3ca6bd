/**
 * The owner's setup checklist for a new install: the practice's details, a coach, the coach's
 * hours, a service clients can book. It shows until every step is done, then goes away.
 */
import { asc, eq, isNotNull } from "drizzle-orm";
import { listBookableServices } from "~/catalogue/catalogue.server";
import type { Db } from "~db/database.server";
import { availabilityOverrides, availabilityRules, coaches, practiceSettings } from "~db/schema";

export type SetupStep = { key: string; title: string; done: boolean; href: string };

export function setupChecklist(db: Db): SetupStep[] {
  const practice = db.select().from(practiceSettings).get();
  const firstCoach = db
    .select({ id: coaches.id })
    .from(coaches)
    .where(eq(coaches.active, true))
    .orderBy(asc(coaches.id))
    .get();
  const withHours =
    db.select({ id: availabilityRules.id }).from(availabilityRules).limit(1).get() ??
    db
      .select({ id: availabilityOverrides.id })
      .from(availabilityOverrides)
      .where(isNotNull(availabilityOverrides.startMinute))
      .limit(1)
      .get();
  return [
    {
      key: "practice",
      title: "Name the practice and say how clients reach you",
      done: Boolean(practice?.contactEmail),
      href: "/coach/practice",
    },
    {
      key: "coach",
      title: "Add a coach (yourself, if you coach)",
      done: firstCoach !== undefined,
      href: "/coach/coaches",
    },
    {
      key: "hours",
      title: "Set the coach’s working hours",
      done: withHours !== undefined,
      href: firstCoach ? `/coach/coaches/${firstCoach.id}/availability` : "/coach/coaches",
    },
    {
      key: "service",
      title: "Create a service clients can book",
      done: listBookableServices(db).length > 0,
      href: "/coach/services/new",
    },
  ];
}

export function isSetUp(steps: SetupStep[]): boolean {
  return steps.every((step) => step.done);
}
