/**
 * What the practice offers: active services with the coaches who give them, and active coaches,
 * as the public pages list them and as a booking needs them (`findBookableOffer`).
 */
import { and, asc, eq, exists, isNotNull, or } from "drizzle-orm";
import type { Db, DbOrTx } from "~db/database.server";
import { placeholder, prepared } from "~db/prepared.server";
import {
  availabilityOverrides,
  availabilityRules,
  coachServices,
  coaches,
  practiceSettings,
  services,
} from "~db/schema";

export type PracticeSummary = { name: string; tagline: string | null };

/** Every page's layout shows it: prepared once. */
export function getPracticeSummary(db: Pick<DbOrTx, "select">): PracticeSummary {
  const row = prepared(db, "practiceSummary", (db) =>
    db
      .select({ name: practiceSettings.name, tagline: practiceSettings.tagline })
      .from(practiceSettings)
      .prepare(),
  ).get();
  return row ?? { name: "Kairos", tagline: null };
}

/** The practice as emails sign off: its name, and where clients can write. */
export function getPracticeContact(db: Pick<DbOrTx, "select">): {
  name: string;
  contactEmail: string | null;
} {
  const row = prepared(db, "practiceContact", (db) =>
    db
      .select({ name: practiceSettings.name, contactEmail: practiceSettings.contactEmail })
      .from(practiceSettings)
      .prepare(),
  ).get();
  return row ?? { name: "Kairos", contactEmail: null };
}

/** Minutes before a session of this service at which its client is reminded. */
export function reminderOffsetsOf(db: Pick<DbOrTx, "select">, serviceId: number): number[] {
  const row = prepared(db, "reminderOffsets", (db) =>
    db
      .select({ offsets: services.reminderOffsets })
      .from(services)
      .where(eq(services.id, placeholder("serviceId")))
      .prepare(),
  ).get({ serviceId });
  const offsets: unknown = row ? JSON.parse(row.offsets) : [];
  return Array.isArray(offsets)
    ? offsets.filter((n): n is number => Number.isInteger(n) && n > 0)
    : [];
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
export type CoachChoice = {
  id: number;
  slug: string;
  name: string;
  bio: string;
  timezone: string;
  photoUrl: string | null;
};

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
  photoUrl: coaches.photoUrl,
};

/** What the home page lists: bookable services with who gives them, and the active coaches. */
export function listPublicCatalogue(db: Db) {
  return {
    coaches: prepared(db, "activeCoaches", (db) =>
      db
        .select(coachColumns)
        .from(coaches)
        .where(eq(coaches.active, true))
        .orderBy(asc(coaches.name))
        .prepare(),
    ).all(),
    services: listBookableServices(db).map((service) => ({
      ...service,
      coachNames: listCoachesForService(db, service.id).map((coach) => coach.name),
    })),
  };
}

/** The coach has working hours of some kind: weekly, or on a date. */
const hasHours = (db: Pick<DbOrTx, "select">) =>
  or(
    exists(
      db
        .select({ id: availabilityRules.id })
        .from(availabilityRules)
        .where(eq(availabilityRules.coachId, coaches.id)),
    ),
    exists(
      db
        .select({ id: availabilityOverrides.id })
        .from(availabilityOverrides)
        .where(
          and(
            eq(availabilityOverrides.coachId, coaches.id),
            isNotNull(availabilityOverrides.startMinute),
          ),
        ),
    ),
  );

/**
 * Active services that at least one active coach with working hours gives: the ones a client can
 * book. None at all means the practice is not taking bookings yet.
 */
export function listBookableServices(db: Db): ServiceChoice[] {
  return prepared(db, "bookableServices", (db) =>
    db
      .selectDistinct(serviceColumns)
      .from(services)
      .innerJoin(coachServices, eq(coachServices.serviceId, services.id))
      .innerJoin(coaches, eq(coaches.id, coachServices.coachId))
      .where(and(eq(services.active, true), eq(coaches.active, true), hasHours(db)))
      .orderBy(asc(services.sortOrder), asc(services.name))
      .prepare(),
  ).all();
}

export function findServiceById(db: Db, id: number | null): ServiceChoice | null {
  if (id === null) return null;
  return (
    prepared(db, "activeService", (db) =>
      db
        .select(serviceColumns)
        .from(services)
        .where(and(eq(services.id, placeholder("id")), eq(services.active, true)))
        .prepare(),
    ).get({ id }) ?? null
  );
}

/** An active coach by slug, for a link that names one; null for any other text. */
export function findActiveCoach(
  db: Pick<DbOrTx, "select">,
  slug: string | null,
): { slug: string; name: string } | null {
  if (!slug || !/^[a-z0-9-]{1,64}$/.test(slug)) return null;
  return (
    db
      .select({ slug: coaches.slug, name: coaches.name })
      .from(coaches)
      .where(and(eq(coaches.slug, slug), eq(coaches.active, true)))
      .get() ?? null
  );
}

/** Active coaches who give the service, by name. */
export function listCoachesForService(db: Db, serviceId: number): CoachChoice[] {
  return prepared(db, "coachesForService", (db) =>
    db
      .select(coachColumns)
      .from(coaches)
      .innerJoin(coachServices, eq(coachServices.coachId, coaches.id))
      .where(and(eq(coachServices.serviceId, placeholder("serviceId")), eq(coaches.active, true)))
      .orderBy(asc(coaches.name))
      .prepare(),
  ).all({ serviceId });
}

export type BookableOffer = {
  coach: { id: number; name: string; timezone: string; videoLink: string | null };
  service: {
    id: number;
    name: string;
    durationMinutes: number;
    priceMinor: number;
    currency: string;
    locationKind: (typeof services.$inferSelect)["locationKind"];
    locationDetail: string | null;
  };
};

/** The active coach and service, if that coach gives that service; otherwise null. */
export function findBookableOffer(
  db: Pick<DbOrTx, "select">,
  coachId: number,
  serviceId: number,
): BookableOffer | null {
  const row = prepared(db, "bookableOffer", bookableOfferQuery).get({ coachId, serviceId });
  if (!row) return null;
  return {
    coach: {
      id: row.coachId,
      name: row.coachName,
      timezone: row.timezone,
      videoLink: row.videoLink,
    },
    service: {
      id: row.serviceId,
      name: row.serviceName,
      durationMinutes: row.durationMinutes,
      priceMinor: row.priceMinor,
      currency: row.currency,
      locationKind: row.locationKind,
      locationDetail: row.locationDetail,
    },
  };
}

/** Prepared once: every wizard page after the first step and every booking written read it. */
const bookableOfferQuery = (db: Pick<DbOrTx, "select">) =>
  db
    .select({
      coachId: coaches.id,
      coachName: coaches.name,
      timezone: coaches.timezone,
      videoLink: coaches.videoLink,
      serviceId: services.id,
      serviceName: services.name,
      durationMinutes: services.durationMinutes,
      priceMinor: services.priceMinor,
      currency: services.currency,
      locationKind: services.locationKind,
      locationDetail: services.locationDetail,
    })
    .from(coachServices)
    .innerJoin(coaches, eq(coaches.id, coachServices.coachId))
    .innerJoin(services, eq(services.id, coachServices.serviceId))
    .where(
      and(
        eq(coachServices.coachId, placeholder("coachId")),
        eq(coachServices.serviceId, placeholder("serviceId")),
        eq(coaches.active, true),
        eq(services.active, true),
      ),
    )
    .prepare();
