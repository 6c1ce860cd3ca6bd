CREATE TABLE `funnel_events` (
	`draft_id` text NOT NULL,
	`stage` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`draft_id`, `stage`)
);
--> statement-breakpoint
CREATE INDEX `funnel_events_at_idx` ON `funnel_events` (`at`);--> statement-breakpoint
CREATE TABLE `login_failures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`address` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `login_failures_email_idx` ON `login_failures` (`email`,`at`);--> statement-breakpoint
CREATE INDEX `login_failures_address_idx` ON `login_failures` (`address`,`at`);--> statement-breakpoint
CREATE TABLE `refunds` (
	`id` text PRIMARY KEY NOT NULL,
	`booking_id` text NOT NULL,
	`amount_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`source` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "refunds_amount_positive" CHECK(amount_minor > 0),
	CONSTRAINT "refunds_source" CHECK(source in ('kairos', 'stripe'))
);
--> statement-breakpoint
CREATE INDEX `refunds_booking_idx` ON `refunds` (`booking_id`);--> statement-breakpoint
CREATE TABLE `webhook_failures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_id` text NOT NULL,
	`event_type` text NOT NULL,
	`error` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_failures_event_idx` ON `webhook_failures` (`event_id`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_bookings` (
	`id` text PRIMARY KEY NOT NULL,
	`coach_id` integer NOT NULL,
	`service_id` integer NOT NULL,
	`draft_id` text,
	`start_at` integer NOT NULL,
	`end_at` integer NOT NULL,
	`client_name` text NOT NULL,
	`client_email` text NOT NULL,
	`client_timezone` text NOT NULL,
	`client_notes` text DEFAULT '' NOT NULL,
	`price_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`status_reason` text,
	`hold_expires_at` integer,
	`checkout_session_id` text,
	`payment_intent_id` text,
	`manage_token_hash` text,
	`needs_attention` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`coach_id`) REFERENCES `coaches`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "bookings_status" CHECK(status in ('held', 'processing', 'confirmed', 'completed', 'no_show', 'payment_failed', 'expired', 'cancelled', 'refunded')),
	CONSTRAINT "bookings_time_order" CHECK(start_at < end_at),
	CONSTRAINT "bookings_price_non_negative" CHECK(price_minor >= 0)
);
--> statement-breakpoint
INSERT INTO `__new_bookings`("id", "coach_id", "service_id", "draft_id", "start_at", "end_at", "client_name", "client_email", "client_timezone", "client_notes", "price_minor", "currency", "status", "status_reason", "hold_expires_at", "checkout_session_id", "payment_intent_id", "manage_token_hash", "needs_attention", "created_at", "updated_at") SELECT "id", "coach_id", "service_id", "draft_id", "start_at", "end_at", "client_name", "client_email", "client_timezone", "client_notes", "price_minor", "currency", "status", "status_reason", "hold_expires_at", "checkout_session_id", "payment_intent_id", "manage_token_hash", "needs_attention", "created_at", "updated_at" FROM `bookings`;--> statement-breakpoint
DROP TABLE `bookings`;--> statement-breakpoint
ALTER TABLE `__new_bookings` RENAME TO `bookings`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `bookings_checkout_session_id_unique` ON `bookings` (`checkout_session_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `bookings_manage_token_hash_unique` ON `bookings` (`manage_token_hash`);--> statement-breakpoint
CREATE INDEX `bookings_coach_start_idx` ON `bookings` (`coach_id`,`start_at`);--> statement-breakpoint
CREATE INDEX `bookings_status_hold_idx` ON `bookings` (`status`,`hold_expires_at`);--> statement-breakpoint
CREATE INDEX `bookings_start_idx` ON `bookings` (`start_at`);