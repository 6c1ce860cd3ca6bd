-- Emails get a fixed Message-ID (made up for rows queued before) and a dead/cancelled state (the
-- failed state of old rows becomes dead); a booking's manage token moves to manage_tokens, where a
-- booking may have several. Hand-edited after drizzle-kit: its rebuild selected a column the old
-- outbox lacked, and it would have dropped the manage tokens.
CREATE TABLE `magic_links` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `magic_links_email_idx` ON `magic_links` (`email`,`created_at`);--> statement-breakpoint
CREATE TABLE `manage_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`booking_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `manage_tokens_booking_idx` ON `manage_tokens` (`booking_id`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_email_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`booking_id` text,
	`recipient` text NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`text_body` text NOT NULL,
	`html_body` text,
	`ics` text,
	`message_id` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`sent_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "email_outbox_status" CHECK(status in ('pending', 'sent', 'dead', 'cancelled'))
);
--> statement-breakpoint
INSERT INTO `__new_email_outbox`("id", "booking_id", "recipient", "kind", "subject", "text_body", "html_body", "ics", "message_id", "status", "attempts", "next_attempt_at", "last_error", "sent_at", "created_at") SELECT "id", "booking_id", "recipient", "kind", "subject", "text_body", "html_body", "ics", '<outbox-' || "id" || '.' || lower(hex(randomblob(8))) || '@kairos>', CASE "status" WHEN 'failed' THEN 'dead' ELSE "status" END, "attempts", "next_attempt_at", "last_error", "sent_at", "created_at" FROM `email_outbox`;--> statement-breakpoint
DROP TABLE `email_outbox`;--> statement-breakpoint
ALTER TABLE `__new_email_outbox` RENAME TO `email_outbox`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `email_outbox_message_id_unique` ON `email_outbox` (`message_id`);--> statement-breakpoint
CREATE INDEX `email_outbox_due_idx` ON `email_outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
INSERT INTO `manage_tokens`("token_hash", "booking_id", "created_at") SELECT "manage_token_hash", "id", "updated_at" FROM `bookings` WHERE "manage_token_hash" IS NOT NULL;--> statement-breakpoint
DROP INDEX `bookings_manage_token_hash_unique`;--> statement-breakpoint
ALTER TABLE `bookings` ADD `ics_sequence` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `bookings` DROP COLUMN `manage_token_hash`;--> statement-breakpoint
ALTER TABLE `booking_drafts` ADD `resume_token_hash` text;--> statement-breakpoint
CREATE UNIQUE INDEX `booking_drafts_resume_token_hash_unique` ON `booking_drafts` (`resume_token_hash`);--> statement-breakpoint
ALTER TABLE `coaches` ADD `feed_token_hash` text;--> statement-breakpoint
CREATE UNIQUE INDEX `coaches_feed_token_hash_unique` ON `coaches` (`feed_token_hash`);--> statement-breakpoint
ALTER TABLE `services` ADD `reminder_offsets` text DEFAULT '[1440]' NOT NULL;