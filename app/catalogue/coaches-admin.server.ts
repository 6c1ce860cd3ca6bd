/**
 * The practice's coaches, as the owner manages them: add one (with an account and a password
 * shown once), edit their profile, deactivate one (their future bookings are listed for the owner
 * to handle: nothing is cancelled behind a client's back) or bring them back.
 */
import { and, asc, count, eq, gte, inArray, ne, sql } from "drizzle-orm";
import * as z from "zod";
import { accountForNewCoach } from "~/auth/accounts.server";
import { canonicalTimeZone } from "~/lib/timezones";
import type { DbOrTx } from "~db/database.server";
import { bookings, coaches, services, users } from "~db/schema";

const optionalUrl = (message: string) =>
  z.preprocess(
    (value) => (value === "" ? undefined : value),
    z
      .url({ protocol: /^https$/, message })
      .max(500, "The address can be at most 500 characters.")
      .optional(),
  );

export const coachSchema = z.object({
  name: z
    .string({ message: "Enter the coach’s name." })
    .trim()
    .min(1, "Enter the coach’s name.")
    .max(100, "The name can be at most 100 characters."),
  email: z
    .email({ message: "Enter an email address like coach@example.com." })
    .max(254, "The email address can be at most 254 characters."),
  timezone: z
    .string({ message: "Choose the coach’s timezone." })
    .refine((zone) => canonicalTimeZone(zone) !== null, "Choose a timezone from the list.")
    .transform((zone) => canonicalTimeZone(zone)!),
  bio: z.string().trim().max(1000, "The bio can be at most 1,000 characters.").optional(),
  photoUrl: optionalUrl("Enter the photo’s https:// address, or leave it empty."),
  videoLink: optionalUrl("Enter the video room’s https:// address, or leave it empty."),
});

export type CoachInput = z.infer<typeof coachSchema>;

export function listCoachesForOwner(db: Pick<DbOrTx, "select">) {
  return db
    .select({
      id: coaches.id,
      name: coaches.name,
      email: coaches.email,
      timezone: coaches.timezone,
      active: coaches.active,
      account: users.email,
    })
    .from(coaches)
    .leftJoin(users, eq(users.coachId, coaches.id))
    .orderBy(asc(coaches.name))
    .all();
}

export function findCoachForEditing(db: Pick<DbOrTx, "select">, id: number) {
  return db.select().from(coaches).where(eq(coaches.id, id)).get() ?? null;
}

function slugFor(db: Pick<DbOrTx, "select">, name: string): string {
  const base =
    name
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 50) || "coach";
  const taken = new Set(
    db
      .select({ slug: coaches.slug })
      .from(coaches)
      .all()
      .map((row) => row.slug),
  );
  let slug = base;
  for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  return slug;
}

/** Whether another coach already has this email: two coaches cannot share one. */
export function emailTaken(db: Pick<DbOrTx, "select">, email: string, exceptId?: number): boolean {
  const other = db
    .select({ id: coaches.id })
    .from(coaches)
    .where(
      and(
        sql`lower(${coaches.email}) = ${email.toLowerCase()}`,
        exceptId === undefined ? undefined : ne(coaches.id, exceptId),
      ),
    )
    .get();
  return other !== undefined;
}

/**
 * Adds a coach, and an account for them to sign in with (tied by email); returns the generated
 * password, which exists nowhere else (the page shows it once), or null when an account with that
 * email already existed and keeps its own.
 */
export async function addCoach(
  db: DbOrTx,
  input: CoachInput,
): Promise<{ coachId: number; password: string | null }> {
  const { id } = db
    .insert(coaches)
    .values({
      slug: slugFor(db, input.name),
      name: input.name,
      email: input.email,
      timezone: input.timezone,
      bio: input.bio ?? "",
      photoUrl: input.photoUrl ?? null,
      videoLink: input.videoLink ?? null,
    })
    .returning({ id: coaches.id })
    .get();
  const { password } = await accountForNewCoach(db, {
    email: input.email,
    name: input.name,
    coachId: id,
  });
  return { coachId: id, password };
}

export function updateCoach(db: DbOrTx, id: number, input: CoachInput) {
  db.update(coaches)
    .set({
      name: input.name,
      email: input.email,
      timezone: input.timezone,
      bio: input.bio ?? "",
      photoUrl: input.photoUrl ?? null,
      videoLink: input.videoLink ?? null,
    })
    .where(eq(coaches.id, id))
    .run();
}

export function setCoachActive(db: DbOrTx, id: number, active: boolean) {
  db.update(coaches).set({ active }).where(eq(coaches.id, id)).run();
}

/** The coach's bookings still to come: what the owner must handle when the coach leaves. */
export function futureBookingsOf(db: Pick<DbOrTx, "select">, coachId: number, now: Date) {
  return db
    .select({
      id: bookings.id,
      startAt: bookings.startAt,
      status: bookings.status,
      clientName: bookings.clientName,
      serviceName: services.name,
    })
    .from(bookings)
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .where(
      and(
        eq(bookings.coachId, coachId),
        gte(bookings.startAt, now),
        inArray(bookings.status, ["held", "processing", "confirmed"]),
      ),
    )
    .orderBy(asc(bookings.startAt))
    .all();
}

export function countCoaches(db: Pick<DbOrTx, "select">): number {
  return db.select({ n: count() }).from(coaches).where(eq(coaches.active, true)).get()?.n ?? 0;
}
