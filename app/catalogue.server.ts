/**
 * What the practice offers, as the public pages show it: active services with the coaches who
 * give them, and active coaches.
 */
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "~db/database.server";
import { coachServices, coaches, practiceSettings, services } from "~db/schema";

export type PracticeSummary = { name: string; tagline: string | null };

export function getPracticeSummary(db: Db): PracticeSummary {
  const row = db
    .select({ name: practiceSettings.name, tagline: practiceSettings.tagline })
    .from(practiceSettings)
    .get();
  return row ?? { name: "Kairos", tagline: null };
}

export type ServiceChoice = {
  id: number;
  slug: string;
  name: string;
  description: string;
  durationMinutes: number;
  priceMinor: number;
  currency: string;
};
export type CoachChoice = { id: number; slug: string; name: string; bio: string; timezone: string };

const serviceColumns = {
  id: services.id,
  slug: services.slug,
  name: services.name,
  description: services.description,
  durationMinutes: services.durationMinutes,
  priceMinor: services.priceMinor,
  currency: services.currency,
};
const coachColumns = {
  id: coaches.id,
  slug: coaches.slug,
  name: coaches.name,
  bio: coaches.bio,
  timezone: coaches.timezone,
};

/** What the home page lists: bookable services with who gives them, and the active coaches. */
export function listPublicCatalogue(db: Db) {
  return {
    coaches: db
      .select(coachColumns)
      .from(coaches)
      .where(eq(coaches.active, true))
      .orderBy(asc(coaches.name))
      .all(),
    services: listBookableServices(db).map((service) => ({
      ...service,
      coachNames: listCoachesForService(db, service.id).map((coach) => coach.name),
    })),
  };
}

/** Active services that at least one active coach gives: the ones a client can book. */
export function listBookableServices(db: Db): ServiceChoice[] {
  return db
    .selectDistinct(serviceColumns)
    .from(services)
    .innerJoin(coachServices, eq(coachServices.serviceId, services.id))
    .innerJoin(coaches, eq(coaches.id, coachServices.coachId))
    .where(and(eq(services.active, true), eq(coaches.active, true)))
    .orderBy(asc(services.sortOrder), asc(services.name))
    .all();
}

export function findServiceById(db: Db, id: number | null): ServiceChoice | null {
  if (id === null) return null;
  return (
    db
      .select(serviceColumns)
      .from(services)
      .where(and(eq(services.id, id), eq(services.active, true)))
      .get() ?? null
  );
}

/** Active coaches who give the service, by name. */
export function listCoachesForService(db: Db, serviceId: number): CoachChoice[] {
  return db
    .select(coachColumns)
    .from(coaches)
    .innerJoin(coachServices, eq(coachServices.coachId, coaches.id))
    .where(and(eq(coachServices.serviceId, serviceId), eq(coaches.active, true)))
    .orderBy(asc(coaches.name))
    .all();
}
