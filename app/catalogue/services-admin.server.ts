/**
 * The owner's side of the catalogue: every service, active or not, with who gives it and how often
 * it was booked; the form that creates or edits one (name, description, length, price, currency,
 * coaches, where it takes place, the questions the details step asks) as a zod schema whose
 * messages a coach understands, field by field; and the writes behind it.
 *
 * A service is never deleted once booked (bookings point at it): it is deactivated, and disappears
 * from the public pages and the wizard while its bookings stay. One that was never booked may be
 * deleted. Bookings copy the price, the place and the questions as asked, so nothing here changes
 * a booking already made.
 */
import { and, asc, count, desc, eq, inArray, max } from "drizzle-orm";
import * as z from "zod";
import { currencyDigits, formatAmount, parseAmount } from "~/lib/format";
import { writeTransaction, type Db, type DbOrTx } from "~db/database.server";
import {
  bookings,
  coachServices,
  coaches,
  LOCATION_KINDS,
  QUESTION_KINDS,
  serviceQuestions,
  services,
} from "~db/schema";
import { listBookableServices } from "./catalogue.server";
import {
  listQuestions,
  type LocationKind,
  type Question,
  type QuestionKind,
} from "./intake.server";

type Reader = Pick<DbOrTx, "select">;

/** At most this many questions a service asks on the details step. */
export const MAX_QUESTIONS = 10;
/** At most this many options a choice offers. */
export const MAX_OPTIONS = 10;
/** The largest price, in minor units: what Stripe takes in one payment (eight digits). */
export const MAX_PRICE_MINOR = 99_999_999;
/** The room link a new video-room service suggests. */
export const DEFAULT_ROOM_PATTERN = "https://meet.jit.si/{room}";

/** The currencies a price may be in, lowercase ISO 4217; a service's own stays valid too. */
export const CURRENCIES = [
  "gbp",
  "eur",
  "usd",
  "cad",
  "aud",
  "nzd",
  "chf",
  "sek",
  "nok",
  "dkk",
  "pln",
  "czk",
  "jpy",
  "sgd",
  "hkd",
  "inr",
  "zar",
] as const;

// ---- Reading ---------------------------------------------------------------------------------

export type CoachOption = { id: number; name: string; active: boolean; videoLink: string | null };

/** Every coach, by name: who may give a service, and whether they have a video link of their own. */
export function listCoachOptions(db: Reader): CoachOption[] {
  return db
    .select({
      id: coaches.id,
      name: coaches.name,
      active: coaches.active,
      videoLink: coaches.videoLink,
    })
    .from(coaches)
    .orderBy(asc(coaches.name))
    .all();
}

export type ServiceListing = {
  id: number;
  name: string;
  active: boolean;
  /** Active and given by an active coach with working hours: on the home page and in the wizard. */
  bookable: boolean;
  durationMinutes: number;
  priceMinor: number;
  currency: string;
  locationKind: LocationKind;
  coachNames: string[];
  questionCount: number;
  bookingCount: number;
};

/** Every service, active ones first, in the order clients see them. */
export function listServicesForAdmin(db: Db): ServiceListing[] {
  const bookable = new Set(listBookableServices(db).map((service) => service.id));
  const bookingCounts = countsBy(
    db
      .select({ id: bookings.serviceId, n: count() })
      .from(bookings)
      .groupBy(bookings.serviceId)
      .all(),
  );
  const questionCounts = countsBy(
    db
      .select({ id: serviceQuestions.serviceId, n: count() })
      .from(serviceQuestions)
      .groupBy(serviceQuestions.serviceId)
      .all(),
  );
  const givers = db
    .select({ serviceId: coachServices.serviceId, name: coaches.name })
    .from(coachServices)
    .innerJoin(coaches, eq(coaches.id, coachServices.coachId))
    .orderBy(asc(coaches.name))
    .all();
  return db
    .select()
    .from(services)
    .orderBy(desc(services.active), asc(services.sortOrder), asc(services.name))
    .all()
    .map((service) => ({
      id: service.id,
      name: service.name,
      active: service.active,
      bookable: bookable.has(service.id),
      durationMinutes: service.durationMinutes,
      priceMinor: service.priceMinor,
      currency: service.currency,
      locationKind: service.locationKind,
      coachNames: givers.filter((g) => g.serviceId === service.id).map((g) => g.name),
      questionCount: questionCounts.get(service.id) ?? 0,
      bookingCount: bookingCounts.get(service.id) ?? 0,
    }));
}

function countsBy(rows: { id: number; n: number }[]): Map<number, number> {
  return new Map(rows.map((row) => [row.id, row.n]));
}

export type EditableService = typeof services.$inferSelect & {
  coachIds: number[];
  questions: Question[];
  bookingCount: number;
  bookable: boolean;
};

/** One service with everything its form shows, or null when there is no such service. */
export function findServiceForEditing(db: Db, id: number): EditableService | null {
  const service = db.select().from(services).where(eq(services.id, id)).get();
  if (!service) return null;
  return {
    ...service,
    coachIds: db
      .select({ id: coachServices.coachId })
      .from(coachServices)
      .where(eq(coachServices.serviceId, id))
      .all()
      .map((row) => row.id),
    questions: listQuestions(db, id),
    bookingCount: countBookings(db, id),
    bookable: listBookableServices(db).some((bookable) => bookable.id === id),
  };
}

function countBookings(db: Reader, serviceId: number): number {
  return (
    db.select({ n: count() }).from(bookings).where(eq(bookings.serviceId, serviceId)).get()?.n ?? 0
  );
}

/** The currency most services are priced in: a new service's first guess. */
export function usualCurrency(db: Reader): string {
  const row = db
    .select({ currency: services.currency, n: count() })
    .from(services)
    .groupBy(services.currency)
    .orderBy(desc(count()))
    .get();
  return row?.currency ?? "gbp";
}

/** The currencies a service's form offers: the usual list, and the service's own if it is not on it. */
export function currencyChoices(current?: string | null): string[] {
  const list: string[] = [...CURRENCIES];
  return current && !list.includes(current) ? [...list, current] : list;
}

// ---- The form --------------------------------------------------------------------------------

export type QuestionInput = {
  kind: QuestionKind;
  label: string;
  required: boolean;
  options: string[];
};

/** What the form means once valid: a service as it is stored. */
export type ServiceInput = {
  name: string;
  description: string;
  durationMinutes: number;
  priceMinor: number;
  currency: string;
  coachIds: number[];
  location: { kind: LocationKind; detail: string | null };
  questions: QuestionInput[];
};

export type ServiceFormContext = { coaches: CoachOption[]; currencies: readonly string[] };

/** Refinements that compare fields run even when another field failed: every message at once. */
const always = () => true;

const optionalText = (maxLength: number, message: string) =>
  z.string().trim().max(maxLength, message).optional();

/** A choice's options as typed: one per line, blank lines left out. */
export function optionLines(text: unknown): string[] {
  if (typeof text !== "string") return [];
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** A row of the questions with neither a question nor options: asks nothing, and is left out. */
function isBlankRow(row: { label?: unknown; options?: unknown }): boolean {
  return !(typeof row.label === "string" && row.label) && optionLines(row.options).length === 0;
}

const questionRowSchema = z
  .object({
    kind: z.enum(QUESTION_KINDS, { error: "Choose what kind of question this is." }),
    label: optionalText(300, "A question can be at most 300 characters."),
    required: z.boolean({ error: "Tick the box, or leave it empty." }).optional(),
    options: z.string().max(3000, "The options can be at most 3,000 characters.").optional(),
  })
  .superRefine(checkQuestionRow, { when: always });

function checkQuestionRow(row: Partial<Record<string, unknown>>, ctx: z.RefinementCtx) {
  if (isBlankRow(row)) return;
  if (!(typeof row.label === "string" && row.label))
    ctx.addIssue({
      code: "custom",
      path: ["label"],
      message: "Write the question, or clear its options to leave this row out.",
    });
  if (row.kind !== "choice") return;
  const options = optionLines(row.options);
  const problem =
    options.length < 2
      ? "Give at least two options, one per line."
      : options.length > MAX_OPTIONS
        ? `Give at most ${MAX_OPTIONS} options.`
        : options.some((option) => option.length > 100)
          ? "Each option can be at most 100 characters."
          : new Set(options).size !== options.length
            ? "Each option must be different."
            : null;
  if (problem) ctx.addIssue({ code: "custom", path: ["options"], message: problem });
}

const questionsSchema = z
  .array(questionRowSchema)
  .max(40, `A session can ask at most ${MAX_QUESTIONS} questions.`)
  .superRefine(
    (rows, ctx) => {
      const asked = rows.filter((row) => row && !isBlankRow(row)).length;
      if (asked > MAX_QUESTIONS)
        ctx.addIssue({
          code: "custom",
          message: `A session can ask at most ${MAX_QUESTIONS} questions: clear ${asked - MAX_QUESTIONS} of them.`,
        });
    },
    { when: always },
  );

/**
 * The service form's schema, for Conform's `parseWithZod`. Field names: `name`, `description`,
 * `duration` (minutes), `price` (a decimal), `currency`, `coaches` (ids, repeated), `locationKind`
 * with `roomPattern`, `address` or `phoneNote`, and `questions[i].kind|label|required|options`
 * (options one per line). The coaches are the practice's, to check the chosen ones exist and, for a
 * session at the coach's own video link, that each has one.
 */
export function serviceFormSchema(context: ServiceFormContext) {
  const known = new Set(context.coaches.map((coach) => String(coach.id)));
  return z
    .object({
      name: z
        .string({ error: "Enter the session’s name." })
        .trim()
        .min(1, "Enter the session’s name.")
        .max(100, "The name can be at most 100 characters."),
      description: optionalText(1000, "The description can be at most 1,000 characters."),
      duration: z
        .number({
          error: (issue) =>
            issue.input === undefined
              ? "Enter how long the session lasts, in minutes."
              : "Enter the length in whole minutes, like 30.",
        })
        .superRefine((minutes, ctx) => {
          const problem = durationProblem(minutes);
          if (problem) ctx.addIssue({ code: "custom", message: problem });
        }),
      price: z
        .string({ error: "Enter a price, or 0 for a free session." })
        .trim()
        .max(20, "Enter a price like 45 or 45.50."),
      currency: z
        .string({ error: "Choose a currency." })
        .trim()
        .toLowerCase()
        .refine((code) => context.currencies.includes(code), "Choose a currency from the list."),
      coaches: z
        .array(z.string(), { error: "Choose coaches from the list." })
        .refine((ids) => ids.every((id) => known.has(id)), "Choose coaches from the list."),
      locationKind: z.enum(LOCATION_KINDS, { error: "Choose where the session takes place." }),
      roomPattern: optionalText(300, "The link can be at most 300 characters."),
      address: optionalText(500, "The address can be at most 500 characters."),
      phoneNote: optionalText(300, "This can be at most 300 characters."),
      questions: questionsSchema,
    })
    .superRefine((form, ctx) => checkAcrossFields(form, ctx, context), { when: always })
    .transform((form): ServiceInput => toServiceInput(form, context));
}

/** Why a length in minutes is not one a session can have; null when it is fine. */
export function durationProblem(minutes: number): string | null {
  if (!Number.isInteger(minutes)) return "Enter the length in whole minutes, like 30.";
  if (minutes < 5) return "A session lasts at least 5 minutes.";
  if (minutes > 480) return "A session lasts at most 480 minutes (8 hours).";
  if (minutes % 5 !== 0) return "Use steps of 5 minutes: 25, 30, 45…";
  return null;
}

type RawForm = Partial<Record<string, unknown>>;

function checkAcrossFields(form: RawForm, ctx: z.RefinementCtx, context: ServiceFormContext) {
  const issue = (field: string, message: string | null) => {
    if (message) ctx.addIssue({ code: "custom", path: [field], message });
  };
  if (typeof form.price === "string" && typeof form.currency === "string")
    issue("price", priceProblem(form.price, form.currency, context));
  if (form.locationKind === "video_room")
    issue("roomPattern", roomPatternProblem(form.roomPattern));
  if (form.locationKind === "address" && !form.address)
    issue("address", "Enter the address where the session takes place.");
  if (form.locationKind === "video_fixed" && Array.isArray(form.coaches))
    issue("locationKind", missingVideoLinks(form.coaches, context.coaches));
}

/** Why a typed price is not one, in this currency; null when it is fine. */
export function priceProblem(
  text: string,
  currency: string,
  context: Pick<ServiceFormContext, "currencies">,
): string | null {
  if (!context.currencies.includes(currency)) return null; // the currency's own message says it
  const code = currency.toUpperCase();
  const parsed = parseAmount(text, currency);
  if (parsed !== null) {
    if (parsed > MAX_PRICE_MINOR)
      return `The price can be at most ${formatAmount(MAX_PRICE_MINOR, currency)} ${code}.`;
    // Stripe refuses charges below about half a unit: 0.50 of most currencies, 50 yen.
    const smallest = 50;
    if (parsed > 0 && parsed < smallest)
      return `A paid session must cost at least ${formatAmount(smallest, currency)} ${code}: Stripe takes nothing smaller.`;
    return null;
  }
  if (text.includes("-")) return "The price can’t be negative.";
  const decimals = text.match(/^[^\d.]*[\d,]+\.(\d+)$/)?.[1];
  const digits = currencyDigits(currency);
  if (decimals && decimals.length > digits)
    return digits === 0
      ? `Prices in ${code} are whole numbers, like 4500.`
      : `Prices in ${code} have at most ${digits} decimals, like 45.50.`;
  return digits === 0
    ? "Enter a price like 4500, or 0 for a free session."
    : "Enter a price like 45 or 45.50, or 0 for a free session.";
}

/** Why a room link pattern is not usable; null when it is. */
export function roomPatternProblem(pattern: unknown): string | null {
  if (typeof pattern !== "string" || !pattern)
    return `Enter the link for the rooms, like ${DEFAULT_ROOM_PATTERN}.`;
  const example = pattern.replaceAll("{room}", "room");
  let url: URL | null = null;
  try {
    url = new URL(example);
  } catch {
    url = null;
  }
  if (!url || url.protocol !== "https:" || !url.hostname.includes(".") || /\s/.test(pattern))
    return `Enter a link starting with https://, like ${DEFAULT_ROOM_PATTERN}.`;
  return null;
}

/** Which chosen coaches lack a video link of their own, as a sentence; null when none does. */
function missingVideoLinks(ids: unknown[], coachOptions: CoachOption[]): string | null {
  const lacking = coachOptions
    .filter((coach) => ids.includes(String(coach.id)) && !coach.videoLink)
    .map((coach) => coach.name);
  if (lacking.length === 0) return null;
  const names =
    lacking.length === 1
      ? lacking[0]!
      : `${lacking.slice(0, -1).join(", ")} and ${lacking[lacking.length - 1]}`;
  return `${names} ${lacking.length === 1 ? "has" : "have"} no video link yet: add one to their profile first, or choose another place.`;
}

type ValidForm = {
  name: string;
  description?: string;
  duration: number;
  price: string;
  currency: string;
  coaches: string[];
  locationKind: LocationKind;
  roomPattern?: string;
  address?: string;
  phoneNote?: string;
  questions: { kind: QuestionKind; label?: string; required?: boolean; options?: string }[];
};

function toServiceInput(form: ValidForm, context: ServiceFormContext): ServiceInput {
  const chosen = new Set(form.coaches);
  return {
    name: form.name,
    description: form.description ?? "",
    durationMinutes: form.duration,
    priceMinor: parseAmount(form.price, form.currency)!,
    currency: form.currency,
    coachIds: context.coaches.filter((c) => chosen.has(String(c.id))).map((c) => c.id),
    location: { kind: form.locationKind, detail: locationDetail(form) },
    questions: form.questions
      .filter((row) => !isBlankRow(row))
      .map((row) => ({
        kind: row.kind,
        label: row.label!,
        // Consent is what the client agrees to before booking: never optional.
        required: row.kind === "consent" || row.required === true,
        options: row.kind === "choice" ? optionLines(row.options) : [],
      })),
  };
}

function locationDetail(form: ValidForm): string | null {
  switch (form.locationKind) {
    case "video_room":
      return form.roomPattern ?? null;
    case "address":
      return form.address ?? null;
    case "phone":
      return form.phoneNote ?? null;
    default:
      return null;
  }
}

/** The form's values for a service as stored (or a new one): what its fields start with. */
export function formValuesOf(service: EditableService | null, currency: string) {
  return {
    name: service?.name ?? "",
    description: service?.description ?? "",
    duration: service ? String(service.durationMinutes) : "",
    price: service ? formatAmount(service.priceMinor, service.currency) : "",
    currency: service?.currency ?? currency,
    coaches: (service?.coachIds ?? []).map(String),
    locationKind: service?.locationKind ?? "none",
    roomPattern:
      service?.locationKind === "video_room"
        ? (service.locationDetail ?? DEFAULT_ROOM_PATTERN)
        : DEFAULT_ROOM_PATTERN,
    address: service?.locationKind === "address" ? (service.locationDetail ?? "") : "",
    phoneNote: service?.locationKind === "phone" ? (service.locationDetail ?? "") : "",
    questions: (service?.questions ?? []).map((question) => ({
      kind: question.kind,
      label: question.label,
      required: question.required ? "on" : "",
      options: question.options.join("\n"),
    })),
  };
}

// ---- Writing ---------------------------------------------------------------------------------

/** Creates the service with its coaches and questions; returns its id. */
export function createService(db: Db, input: ServiceInput): number {
  return writeTransaction(db, (tx) => {
    const last = tx
      .select({ n: max(services.sortOrder) })
      .from(services)
      .get()?.n;
    const { id } = tx
      .insert(services)
      .values({
        slug: uniqueSlug(tx, input.name),
        sortOrder: (last ?? -1) + 1,
        ...serviceColumns(input),
      })
      .returning({ id: services.id })
      .get();
    setCoaches(tx, id, input.coachIds);
    replaceQuestions(tx, id, input.questions);
    return id;
  });
}

/**
 * Saves the form over the service (its slug stays, so links and pages already open keep working);
 * false when there is no such service. Bookings keep the price, place and answers they were made
 * with.
 */
export function updateService(db: Db, id: number, input: ServiceInput): boolean {
  return writeTransaction(db, (tx) => {
    const updated = tx
      .update(services)
      .set(serviceColumns(input))
      .where(eq(services.id, id))
      .run().changes;
    if (updated === 0) return false;
    setCoaches(tx, id, input.coachIds);
    replaceQuestions(tx, id, input.questions);
    return true;
  });
}

function serviceColumns(input: ServiceInput) {
  return {
    name: input.name,
    description: input.description,
    durationMinutes: input.durationMinutes,
    priceMinor: input.priceMinor,
    currency: input.currency,
    locationKind: input.location.kind,
    locationDetail: input.location.detail,
  };
}

/** Deactivates (hidden from clients, bookings kept) or reactivates; false when there is none. */
export function setServiceActive(db: Db, id: number, active: boolean): boolean {
  return db.update(services).set({ active }).where(eq(services.id, id)).run().changes > 0;
}

/**
 * Deletes a service that was never booked (made by mistake, say) with its questions and who gave
 * it. One with bookings is refused: deactivate it instead.
 */
export function deleteUnbookedService(
  db: Db,
  id: number,
): "deleted" | "has_bookings" | "not_found" {
  return writeTransaction(db, (tx) => {
    if (!tx.select({ id: services.id }).from(services).where(eq(services.id, id)).get())
      return "not_found";
    if (countBookings(tx, id) > 0) return "has_bookings";
    tx.delete(services).where(eq(services.id, id)).run();
    return "deleted";
  });
}

function setCoaches(tx: DbOrTx, serviceId: number, coachIds: number[]) {
  tx.delete(coachServices).where(eq(coachServices.serviceId, serviceId)).run();
  if (coachIds.length)
    tx.insert(coachServices)
      .values(coachIds.map((coachId) => ({ coachId, serviceId })))
      .run();
}

/**
 * Makes the service's questions the given list, in its order. A question that is still asked word
 * for word (kind, text and options) keeps its row, so the answers a client is typing into a draft
 * right now still belong to it; the others are removed or added.
 */
function replaceQuestions(tx: DbOrTx, serviceId: number, questions: QuestionInput[]) {
  const unclaimed = listQuestions(tx, serviceId);
  questions.forEach((question, position) => {
    const same = unclaimed.findIndex((old) => isSameQuestion(old, question));
    if (same >= 0) {
      const [old] = unclaimed.splice(same, 1);
      tx.update(serviceQuestions)
        .set({ position, required: question.required })
        .where(eq(serviceQuestions.id, old!.id))
        .run();
    } else {
      tx.insert(serviceQuestions)
        .values({
          serviceId,
          position,
          kind: question.kind,
          label: question.label,
          required: question.required,
          options: question.kind === "choice" ? JSON.stringify(question.options) : null,
        })
        .run();
    }
  });
  if (unclaimed.length)
    tx.delete(serviceQuestions)
      .where(
        and(
          eq(serviceQuestions.serviceId, serviceId),
          inArray(
            serviceQuestions.id,
            unclaimed.map((old) => old.id),
          ),
        ),
      )
      .run();
}

function isSameQuestion(old: Question, question: QuestionInput): boolean {
  return (
    old.kind === question.kind &&
    old.label === question.label &&
    JSON.stringify(old.options) === JSON.stringify(question.options)
  );
}

/** A slug from the name (`Deep-dive session` → `deep-dive-session`), made unique with -2, -3… */
export function slugFromName(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, 56)
    .replace(/-+$/, "");
  return base || "session";
}

function uniqueSlug(tx: Reader, name: string): string {
  const base = slugFromName(name);
  const taken = new Set(
    tx
      .select({ slug: services.slug })
      .from(services)
      .all()
      .map((row) => row.slug),
  );
  let slug = base;
  for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  return slug;
}
