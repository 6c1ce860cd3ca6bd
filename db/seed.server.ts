/**
 * The demo practice every fresh install starts with, so that `npm start` shows a working site.
 * Seeding happens only into an empty database: once any coach exists, it does nothing.
 */
import { count } from "drizzle-orm";
import { generatePassword, hashPassword } from "~/auth/password.server";
import type { Db } from "./database.server";
import {
  availabilityRules,
  coachServices,
  coaches,
  practiceSettings,
  services,
  users,
} from "./schema";

export type SeedResult =
  { seeded: false } | { seeded: true; login: { email: string; password: string } };

const hours = (h: number, m = 0) => h * 60 + m;
const WEEKDAYS = [1, 2, 3, 4, 5] as const;

const DEMO_COACHES = [
  {
    slug: "maya-okafor",
    name: "Maya Okafor",
    email: "maya@example.com",
    timezone: "Europe/London",
    bio: "Career and leadership coach for people stepping into their first management role.",
    // Mornings and afternoons with a lunch break, Monday to Friday, London time.
    weeklyHours: WEEKDAYS.flatMap((weekday) => [
      { weekday, startMinute: hours(9), endMinute: hours(12, 30) },
      { weekday, startMinute: hours(13, 30), endMinute: hours(17) },
    ]),
  },
  {
    slug: "daniel-reyes",
    name: "Daniel Reyes",
    email: "daniel@example.com",
    timezone: "America/New_York",
    bio: "Performance coach for founders and creatives; plain talk about focus, energy and habits.",
    // Long days Monday to Thursday, a short Friday, New York time.
    weeklyHours: [
      ...[1, 2, 3, 4].map((weekday) => ({ weekday, startMinute: hours(10), endMinute: hours(18) })),
      { weekday: 5, startMinute: hours(10), endMinute: hours(14) },
    ],
  },
];

const DEMO_SERVICES = [
  {
    slug: "intro-call",
    name: "Free intro call",
    description: "Fifteen minutes to meet, talk about what you want to change, and see if we fit.",
    durationMinutes: 15,
    priceMinor: 0,
    coaches: ["maya-okafor", "daniel-reyes"],
  },
  {
    slug: "coaching-session",
    name: "Coaching session",
    description: "A focused half hour on one question, with a clear next step at the end.",
    durationMinutes: 30,
    priceMinor: 4500,
    coaches: ["maya-okafor", "daniel-reyes"],
  },
  {
    slug: "deep-dive",
    name: "Deep-dive session",
    description:
      "A full hour to work through a bigger decision, a plan, or a difficult conversation.",
    durationMinutes: 60,
    priceMinor: 8500,
    coaches: ["maya-okafor"],
  },
];

const DEMO_CURRENCY = "gbp";

function isEmpty(db: Pick<Db, "select">): boolean {
  const [row] = db.select({ n: count() }).from(coaches).all();
  return (row?.n ?? 0) === 0;
}

/**
 * Seeds the demo practice into an empty database and returns the coach login, whose password
 * exists nowhere else: the caller shows it once.
 */
export async function seedDemoPractice(db: Db): Promise<SeedResult> {
  if (!isEmpty(db)) return { seeded: false };

  const owner = DEMO_COACHES[0]!;
  const password = generatePassword();
  const passwordHash = await hashPassword(password);

  const seeded = db.transaction(
    (tx) => {
      // Checked again inside the write lock: two processes starting at once seed only once.
      if (!isEmpty(tx)) return false;
      tx.insert(practiceSettings)
        .values({
          id: 1,
          name: "Northlight Coaching",
          tagline: "Coaching for people who lead",
          contactEmail: "hello@example.com",
          timezone: "Europe/London",
          selfServiceNoticeHours: 24,
          refundPolicy: JSON.stringify([
            { hoursBefore: 48, percent: 100 },
            { hoursBefore: 24, percent: 50 },
          ]),
        })
        .onConflictDoNothing()
        .run();
      const coachIds = new Map<string, number>();
      for (const { weeklyHours, ...coach } of DEMO_COACHES) {
        const { id } = tx
          .insert(coaches)
          // A year ahead, so the demo's calendar reaches every clock change of the coming year.
          .values({ ...coach, bookingWindowDays: 365 })
          .returning({ id: coaches.id })
          .get();
        coachIds.set(coach.slug, id);
        tx.insert(availabilityRules)
          .values(weeklyHours.map((range) => ({ coachId: id, ...range })))
          .run();
      }
      DEMO_SERVICES.forEach(({ coaches: offeredBy, ...service }, sortOrder) => {
        const { id } = tx
          .insert(services)
          .values({ ...service, currency: DEMO_CURRENCY, sortOrder })
          .returning({ id: services.id })
          .get();
        tx.insert(coachServices)
          .values(offeredBy.map((slug) => ({ coachId: coachIds.get(slug)!, serviceId: id })))
          .run();
      });
      tx.insert(users)
        .values({
          email: owner.email,
          name: owner.name,
          passwordHash,
          role: "owner",
          coachId: coachIds.get(owner.slug),
        })
        .run();
      return true;
    },
    { behavior: "immediate" },
  );

  return seeded ? { seeded: true, login: { email: owner.email, password } } : { seeded: false };
}

/** The console lines that hand the coach login over, once. */
export function describeSeedLogin(login: { email: string; password: string }) {
  return [
    "Seeded the demo practice (2 coaches, 3 services, weekly hours).",
    `Coach login: ${login.email} / ${login.password}`,
    "This password is shown only now; keep it somewhere safe.",
  ].join("\n");
}
