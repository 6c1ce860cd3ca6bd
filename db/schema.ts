/**
 * The whole Kairos domain as Drizzle tables (docs/architecture.md describes how they are used).
 *
 * Conventions (docs/decisions/002-time-storage.md):
 * - Instants are INTEGER epoch milliseconds in UTC (`timestampMs` below, a JS `Date` in code).
 * - Wall-clock values that only mean something in a coach's zone (weekly hours, override dates)
 *   are stored as minutes after local midnight and ISO dates (`YYYY-MM-DD`), never as instants.
 * - Money is an integer in the currency's minor unit with a lowercase ISO 4217 code beside it.
 * - Ids that leave the server (drafts, bookings) are random text; internal rows use integers.
 */
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

const timestampMs = (name: string) => integer(name, { mode: "timestamp_ms" });
const createdAt = () =>
  timestampMs("created_at")
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);
const updatedAt = () =>
  timestampMs("updated_at")
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

export const DRAFT_STATUSES = ["editing", "checkout", "completed", "abandoned"] as const;
export const BOOKING_STATUSES = [
  "held",
  "processing",
  "confirmed",
  "completed",
  "no_show",
  "payment_failed",
  "expired",
  "cancelled",
  "refunded",
] as const;
export const BOOKING_ACTORS = ["client", "coach", "stripe", "system"] as const;
/** pending: to send (at `next_attempt_at`); dead: every attempt failed; cancelled: no longer due (a reminder of a moved or cancelled session). */
export const EMAIL_STATUSES = ["pending", "sent", "dead", "cancelled"] as const;
export const USER_ROLES = ["owner", "coach"] as const;
export const REFUND_SOURCES = ["kairos", "stripe"] as const;

export type DraftStatus = (typeof DRAFT_STATUSES)[number];
export type BookingStatus = (typeof BOOKING_STATUSES)[number];
export type BookingActor = (typeof BOOKING_ACTORS)[number];

/** `column IN ('a','b',...)` for a CHECK constraint; the values are our own constants. */
function oneOf(column: string, values: readonly string[]) {
  return sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(", ")})`);
}

/** One row (id = 1): the practice itself, and the cancellation policy its clients book under. */
export const practiceSettings = sqliteTable(
  "practice_settings",
  {
    id: integer("id").primaryKey(),
    name: text("name").notNull(),
    tagline: text("tagline"),
    /** Where clients can write to the practice (shown when they cannot change a booking). */
    contactEmail: text("contact_email"),
    /** The zone of the practice's own pages (the owner's dashboard, new coaches' default). */
    timezone: text("timezone").notNull().default("UTC"),
    /** A client may cancel or reschedule themselves until this many hours before the session. */
    selfServiceNoticeHours: integer("self_service_notice_hours").notNull().default(24),
    /**
     * The refund a client's own cancellation earns, by notice: JSON `[{hoursBefore, percent}]`,
     * the most notice first; less notice than the last tier, no refund.
     */
    refundPolicy: text("refund_policy").notNull().default('[{"hoursBefore":24,"percent":100}]'),
    updatedAt: updatedAt(),
  },
  () => [
    check("practice_settings_single_row", sql`id = 1`),
    check("practice_settings_notice", sql`self_service_notice_hours >= 0`),
  ],
);

export const LOCATION_KINDS = ["none", "video_fixed", "video_room", "address", "phone"] as const;

export const coaches = sqliteTable(
  "coaches",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    slug: text("slug").notNull().unique(),
    name: text("name").notNull(),
    email: text("email").notNull(),
    /** IANA zone: weekly hours and overrides are read in it. */
    timezone: text("timezone").notNull(),
    bio: text("bio").notNull().default(""),
    photoUrl: text("photo_url"),
    /** The coach's own video room, for services held at "the coach's video link". */
    videoLink: text("video_link"),
    /** SHA-256 of the token in the coach's private calendar feed address; null: no feed. */
    feedTokenHash: text("feed_token_hash").unique(),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    // How this coach can be booked (read by the availability engine).
    minimumNoticeMinutes: integer("minimum_notice_minutes").notNull().default(720),
    bookingWindowDays: integer("booking_window_days").notNull().default(60),
    bufferBeforeMinutes: integer("buffer_before_minutes").notNull().default(0),
    bufferAfterMinutes: integer("buffer_after_minutes").notNull().default(10),
    slotIntervalMinutes: integer("slot_interval_minutes").notNull().default(30),
    maxPerDay: integer("max_per_day"),
    maxPerWeek: integer("max_per_week"),
    createdAt: createdAt(),
  },
  () => [
    check(
      "coaches_booking_rules",
      sql`minimum_notice_minutes >= 0 and booking_window_days > 0 and buffer_before_minutes >= 0
        and buffer_after_minutes >= 0 and slot_interval_minutes > 0
        and (max_per_day is null or max_per_day > 0) and (max_per_week is null or max_per_week > 0)`,
    ),
  ],
);

export const services = sqliteTable(
  "services",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    slug: text("slug").notNull().unique(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    durationMinutes: integer("duration_minutes").notNull(),
    priceMinor: integer("price_minor").notNull(),
    currency: text("currency").notNull(),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    sortOrder: integer("sort_order").notNull().default(0),
    /** Where it takes place: a video link (the coach's, or a room per booking), an address, a call. */
    locationKind: text("location_kind", { enum: LOCATION_KINDS }).notNull().default("none"),
    /** The address, the phone instructions, or the room pattern (`https://meet.jit.si/{room}`). */
    locationDetail: text("location_detail"),
    /** JSON array of minutes before a session at which the client is reminded. */
    reminderOffsets: text("reminder_offsets").notNull().default("[1440]"),
    createdAt: createdAt(),
  },
  () => [
    check("services_location_kind", oneOf("location_kind", LOCATION_KINDS)),
    check("services_duration_positive", sql`duration_minutes > 0`),
    check("services_price_non_negative", sql`price_minor >= 0`),
    check("services_currency_lowercase", sql`currency = lower(currency) and length(currency) = 3`),
  ],
);

export const coachServices = sqliteTable(
  "coach_services",
  {
    coachId: integer("coach_id")
      .notNull()
      .references(() => coaches.id, { onDelete: "cascade" }),
    serviceId: integer("service_id")
      .notNull()
      .references(() => services.id, { onDelete: "cascade" }),
  },
  (table) => [
    primaryKey({ columns: [table.coachId, table.serviceId] }),
    index("coach_services_service_idx").on(table.serviceId),
  ],
);

export const QUESTION_KINDS = ["short_text", "long_text", "choice", "consent"] as const;

/** What a service asks on the details step, in order. */
export const serviceQuestions = sqliteTable(
  "service_questions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    serviceId: integer("service_id")
      .notNull()
      .references(() => services.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    kind: text("kind", { enum: QUESTION_KINDS }).notNull(),
    label: text("label").notNull(),
    required: integer("required", { mode: "boolean" }).notNull().default(false),
    /** For a choice: JSON array of the options, in order. */
    options: text("options"),
  },
  (table) => [
    index("service_questions_service_idx").on(table.serviceId, table.position),
    check("service_questions_kind", oneOf("kind", QUESTION_KINDS)),
  ],
);

/** Weekly hours in the coach's own zone; several ranges a day are several rows. */
export const availabilityRules = sqliteTable(
  "availability_rules",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    coachId: integer("coach_id")
      .notNull()
      .references(() => coaches.id, { onDelete: "cascade" }),
    /** ISO weekday, as luxon counts: 1 = Monday ... 7 = Sunday. */
    weekday: integer("weekday").notNull(),
    startMinute: integer("start_minute").notNull(),
    endMinute: integer("end_minute").notNull(),
  },
  (table) => [
    index("availability_rules_coach_idx").on(table.coachId, table.weekday),
    check("availability_rules_weekday", sql`weekday between 1 and 7`),
    check(
      "availability_rules_range",
      sql`start_minute >= 0 and end_minute <= 1440 and start_minute < end_minute`,
    ),
  ],
);

/**
 * A local date that departs from the weekly hours. A row with null minutes is a day off; rows
 * with minutes replace that day's hours with their ranges.
 */
export const availabilityOverrides = sqliteTable(
  "availability_overrides",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    coachId: integer("coach_id")
      .notNull()
      .references(() => coaches.id, { onDelete: "cascade" }),
    /** `YYYY-MM-DD` in the coach's zone. */
    date: text("date").notNull(),
    startMinute: integer("start_minute"),
    endMinute: integer("end_minute"),
  },
  (table) => [
    index("availability_overrides_coach_date_idx").on(table.coachId, table.date),
    check(
      "availability_overrides_range",
      sql`(start_minute is null and end_minute is null) or
        (start_minute >= 0 and end_minute <= 1440 and start_minute < end_minute)`,
    ),
  ],
);

/** The booking wizard's progress, held server-side; the draft cookie holds the id. */
export const bookingDrafts = sqliteTable(
  "booking_drafts",
  {
    /** At least 128 random bits, base64url: the only key to the draft. */
    id: text("id").primaryKey(),
    serviceId: integer("service_id").references(() => services.id, { onDelete: "set null" }),
    coachId: integer("coach_id").references(() => coaches.id, { onDelete: "set null" }),
    startAt: timestampMs("start_at"),
    clientTimezone: text("client_timezone"),
    clientName: text("client_name"),
    clientEmail: text("client_email"),
    clientNotes: text("client_notes"),
    /** JSON: the answers to the service's questions, by question id. */
    intakeAnswers: text("intake_answers"),
    /** SHA-256 of the token in emailed links that reopen this draft on any device. */
    resumeTokenHash: text("resume_token_hash").unique(),
    step: text("step").notNull().default("service"),
    checkoutSessionId: text("checkout_session_id"),
    status: text("status", { enum: DRAFT_STATUSES }).notNull().default("editing"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    expiresAt: timestampMs("expires_at").notNull(),
  },
  (table) => [
    index("booking_drafts_expires_idx").on(table.expiresAt),
    index("booking_drafts_checkout_session_idx").on(table.checkoutSessionId),
    check("booking_drafts_status", oneOf("status", DRAFT_STATUSES)),
    check(
      "booking_drafts_lengths",
      sql`length(coalesce(client_name, '')) <= 100 and length(coalesce(client_email, '')) <= 254
        and length(coalesce(client_notes, '')) <= 1000 and length(coalesce(client_timezone, '')) <= 64`,
    ),
  ],
);

export const bookings = sqliteTable(
  "bookings",
  {
    id: text("id").primaryKey(),
    coachId: integer("coach_id")
      .notNull()
      .references(() => coaches.id, { onDelete: "restrict" }),
    serviceId: integer("service_id")
      .notNull()
      .references(() => services.id, { onDelete: "restrict" }),
    draftId: text("draft_id"),
    startAt: timestampMs("start_at").notNull(),
    endAt: timestampMs("end_at").notNull(),
    clientName: text("client_name").notNull(),
    clientEmail: text("client_email").notNull(),
    clientTimezone: text("client_timezone").notNull(),
    clientNotes: text("client_notes").notNull().default(""),
    /** Copied from the service when booked: later price changes never touch a booking. */
    priceMinor: integer("price_minor").notNull(),
    currency: text("currency").notNull(),
    /** Where the session takes place, as told to the client (a link, an address), fixed at booking. */
    location: text("location"),
    /** JSON `[{question, kind, answer}]`: the service's questions as asked, with the client's answers. */
    intakeAnswers: text("intake_answers"),
    status: text("status", { enum: BOOKING_STATUSES }).notNull(),
    /** Why the booking is in its status, when that needs saying (e.g. `slot_conflict`). */
    statusReason: text("status_reason"),
    /** While `held`: when the slot is released if payment has not arrived. */
    holdExpiresAt: timestampMs("hold_expires_at"),
    checkoutSessionId: text("checkout_session_id").unique(),
    paymentIntentId: text("payment_intent_id"),
    /** Set when something needs a coach's eye (e.g. an amount mismatch from Stripe). */
    needsAttention: text("needs_attention"),
    /** The calendar invite's SEQUENCE: raised with every change the client's calendar must take. */
    icsSequence: integer("ics_sequence").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index("bookings_coach_start_idx").on(table.coachId, table.startAt),
    // The availability engine's busy-time query, answered from the index alone: a range on
    // start_at per status that holds time, with what it checks (end, hold expiry, draft) beside.
    index("bookings_coach_status_start_idx").on(
      table.coachId,
      table.status,
      table.startAt,
      table.endAt,
      table.holdExpiresAt,
      table.draftId,
    ),
    index("bookings_status_hold_idx").on(table.status, table.holdExpiresAt),
    index("bookings_start_idx").on(table.startAt),
    check("bookings_status", oneOf("status", BOOKING_STATUSES)),
    check("bookings_time_order", sql`start_at < end_at`),
    check("bookings_price_non_negative", sql`price_minor >= 0`),
  ],
);

/**
 * A counter per coach, raised by triggers on `bookings` (migration 0006) whenever a booking of the
 * coach is written: the availability cache (availability/busy-cache.server.ts) keeps a coach's
 * busy time for as long as the counter stands still, whoever wrote the booking (this process,
 * a command, a restore).
 */
export const coachBusyVersions = sqliteTable("coach_busy_versions", {
  coachId: integer("coach_id")
    .primaryKey()
    .references(() => coaches.id, { onDelete: "cascade" }),
  version: integer("version").notNull().default(0),
});

/** Every Stripe event we accepted: the dedup key and the audit trail in one. */
export const stripeEvents = sqliteTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  receivedAt: timestampMs("received_at").notNull(),
  processedAt: timestampMs("processed_at"),
  outcome: text("outcome"),
});

/** The audit log: every status change of every booking, and who made it. */
export const bookingEvents = sqliteTable(
  "booking_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    bookingId: text("booking_id")
      .notNull()
      .references(() => bookings.id, { onDelete: "cascade" }),
    fromStatus: text("from_status", { enum: BOOKING_STATUSES }),
    toStatus: text("to_status", { enum: BOOKING_STATUSES }).notNull(),
    actor: text("actor", { enum: BOOKING_ACTORS }).notNull(),
    reason: text("reason"),
    at: timestampMs("at").notNull(),
  },
  (table) => [
    index("booking_events_booking_idx").on(table.bookingId, table.at),
    check("booking_events_actor", oneOf("actor", BOOKING_ACTORS)),
  ],
);

/** Email is written here in the same transaction as the change it reports, then sent by a timer. */
export const emailOutbox = sqliteTable(
  "email_outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    bookingId: text("booking_id").references(() => bookings.id, { onDelete: "set null" }),
    recipient: text("recipient").notNull(),
    kind: text("kind").notNull(),
    subject: text("subject").notNull(),
    textBody: text("text_body").notNull(),
    htmlBody: text("html_body"),
    /** An iCalendar file to attach, when the email carries an invite. */
    ics: text("ics"),
    /** The `Message-ID`, fixed when queued: every attempt sends the same message. */
    messageId: text("message_id").notNull().unique(),
    status: text("status", { enum: EMAIL_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestampMs("next_attempt_at").notNull(),
    lastError: text("last_error"),
    sentAt: timestampMs("sent_at"),
    createdAt: createdAt(),
  },
  (table) => [
    index("email_outbox_due_idx").on(table.status, table.nextAttemptAt),
    check("email_outbox_status", oneOf("status", EMAIL_STATUSES)),
  ],
);

export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** Stored lowercased, so that sign-in is case-insensitive. */
    email: text("email").notNull().unique(),
    name: text("name").notNull(),
    /** `scrypt$N$r$p$salt$hash` (see app/auth/password.server.ts). */
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: USER_ROLES }).notNull().default("coach"),
    coachId: integer("coach_id").references(() => coaches.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  () => [check("users_role", oneOf("role", USER_ROLES))],
);

/** Coach sign-in sessions; deleting a row signs that browser out. */
export const sessions = sqliteTable(
  "sessions",
  {
    /** SHA-256 of the session token; the token itself lives only in the signed cookie. */
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: timestampMs("expires_at").notNull(),
    userAgent: text("user_agent"),
  },
  (table) => [
    index("sessions_user_idx").on(table.userId),
    index("sessions_expires_idx").on(table.expiresAt),
  ],
);

/** Failed sign-ins, counted per account and per address to slow down guessing. */
export const loginFailures = sqliteTable(
  "login_failures",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** Lowercased, whether or not an account has it. */
    email: text("email").notNull(),
    address: text("address").notNull(),
    at: timestampMs("at").notNull(),
  },
  (table) => [
    index("login_failures_email_idx").on(table.email, table.at),
    index("login_failures_address_idx").on(table.address, table.at),
  ],
);

/** Every refund of a booking's payment, made by Kairos or reported by Stripe. */
export const refunds = sqliteTable(
  "refunds",
  {
    /** Stripe's refund id (`re_...`). */
    id: text("id").primaryKey(),
    bookingId: text("booking_id")
      .notNull()
      .references(() => bookings.id, { onDelete: "restrict" }),
    amountMinor: integer("amount_minor").notNull(),
    currency: text("currency").notNull(),
    /** Stripe's status: pending, succeeded, failed, canceled. */
    status: text("status").notNull(),
    /** Why, in the coach's or the system's words. */
    reason: text("reason"),
    /** Who asked for it: Kairos (a coach, a client, a slot conflict) or someone in Stripe. */
    source: text("source", { enum: REFUND_SOURCES }).notNull(),
    createdAt: timestampMs("created_at").notNull(),
  },
  (table) => [
    index("refunds_booking_idx").on(table.bookingId),
    check("refunds_amount_positive", sql`amount_minor > 0`),
    check("refunds_source", oneOf("source", REFUND_SOURCES)),
  ],
);

/** Webhook deliveries that failed to process (Stripe retries them); shown to the coach. */
export const webhookFailures = sqliteTable(
  "webhook_failures",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    error: text("error").notNull(),
    at: timestampMs("at").notNull(),
  },
  (table) => [index("webhook_failures_event_idx").on(table.eventId)],
);

/**
 * Steps of the payment funnel that leave no other trace: drafts are deleted after a day, so the
 * moment one reached the review step of a paid session is kept here (ids only).
 */
export const funnelEvents = sqliteTable(
  "funnel_events",
  {
    draftId: text("draft_id").notNull(),
    stage: text("stage").notNull(),
    at: timestampMs("at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.draftId, table.stage] }),
    index("funnel_events_at_idx").on(table.at),
  ],
);

/** "My bookings" sign-in links: single use, short-lived, only their hash stored. */
export const magicLinks = sqliteTable(
  "magic_links",
  {
    tokenHash: text("token_hash").primaryKey(),
    email: text("email").notNull(),
    expiresAt: timestampMs("expires_at").notNull(),
    usedAt: timestampMs("used_at"),
    createdAt: createdAt(),
  },
  (table) => [index("magic_links_email_idx").on(table.email, table.createdAt)],
);

/**
 * The client's manage links of a booking: each email (and each "manage" press on the confirmation
 * or "my bookings" page) carries its own token, so one link never replaces another; only the
 * tokens' SHA-256 is stored.
 */
export const manageTokens = sqliteTable(
  "manage_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    bookingId: text("booking_id")
      .notNull()
      .references(() => bookings.id, { onDelete: "cascade" }),
    createdAt: timestampMs("created_at").notNull(),
  },
  (table) => [index("manage_tokens_booking_idx").on(table.bookingId)],
);
