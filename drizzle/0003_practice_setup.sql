-- Per-coach booking rules move from the practice to each coach (copied from the practice's);
-- the cancellation cut-off becomes the self-service notice and a refund policy of one tier.
-- Hand-edited after drizzle-kit: its table rebuilds selected columns the old tables lacked.
CREATE TABLE `service_questions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`service_id` integer NOT NULL,
	`position` integer NOT NULL,
	`kind` text NOT NULL,
	`label` text NOT NULL,
	`required` integer DEFAULT false NOT NULL,
	`options` text,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "service_questions_kind" CHECK(kind in ('short_text', 'long_text', 'choice', 'consent'))
);
--> statement-breakpoint
CREATE INDEX `service_questions_service_idx` ON `service_questions` (`service_id`,`position`);--> statement-breakpoint
CREATE TABLE `__new_coaches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`timezone` text NOT NULL,
	`bio` text DEFAULT '' NOT NULL,
	`photo_url` text,
	`video_link` text,
	`active` integer DEFAULT true NOT NULL,
	`minimum_notice_minutes` integer DEFAULT 720 NOT NULL,
	`booking_window_days` integer DEFAULT 60 NOT NULL,
	`buffer_before_minutes` integer DEFAULT 0 NOT NULL,
	`buffer_after_minutes` integer DEFAULT 10 NOT NULL,
	`slot_interval_minutes` integer DEFAULT 30 NOT NULL,
	`max_per_day` integer,
	`max_per_week` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	CONSTRAINT "coaches_booking_rules" CHECK(minimum_notice_minutes >= 0 and booking_window_days > 0 and buffer_before_minutes >= 0
        and buffer_after_minutes >= 0 and slot_interval_minutes > 0
        and (max_per_day is null or max_per_day > 0) and (max_per_week is null or max_per_week > 0))
);
--> statement-breakpoint
INSERT INTO `__new_coaches`("id", "slug", "name", "email", "timezone", "bio", "active", "minimum_notice_minutes", "booking_window_days", "buffer_before_minutes", "buffer_after_minutes", "slot_interval_minutes", "created_at") SELECT c."id", c."slug", c."name", c."email", c."timezone", c."bio", c."active", coalesce(p."minimum_notice_minutes", 720), coalesce(p."booking_window_days", 60), coalesce(p."buffer_before_minutes", 0), coalesce(p."buffer_after_minutes", 10), coalesce(p."slot_interval_minutes", 30), c."created_at" FROM `coaches` c LEFT JOIN `practice_settings` p ON p."id" = 1;--> statement-breakpoint
DROP TABLE `coaches`;--> statement-breakpoint
ALTER TABLE `__new_coaches` RENAME TO `coaches`;--> statement-breakpoint
CREATE UNIQUE INDEX `coaches_slug_unique` ON `coaches` (`slug`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_practice_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`tagline` text,
	`contact_email` text,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`self_service_notice_hours` integer DEFAULT 24 NOT NULL,
	`refund_policy` text DEFAULT '[{"hoursBefore":24,"percent":100}]' NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	CONSTRAINT "practice_settings_single_row" CHECK(id = 1),
	CONSTRAINT "practice_settings_notice" CHECK(self_service_notice_hours >= 0)
);
--> statement-breakpoint
INSERT INTO `__new_practice_settings`("id", "name", "tagline", "timezone", "self_service_notice_hours", "refund_policy", "updated_at") SELECT "id", "name", "tagline", coalesce((SELECT "timezone" FROM `coaches` ORDER BY "id" LIMIT 1), 'UTC'), "cancellation_cutoff_hours", '[{"hoursBefore":' || "cancellation_cutoff_hours" || ',"percent":100}]', "updated_at" FROM `practice_settings`;--> statement-breakpoint
DROP TABLE `practice_settings`;--> statement-breakpoint
ALTER TABLE `__new_practice_settings` RENAME TO `practice_settings`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
ALTER TABLE `booking_drafts` ADD `intake_answers` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `location` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `intake_answers` text;--> statement-breakpoint
CREATE TABLE `__new_services` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`duration_minutes` integer NOT NULL,
	`price_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`location_kind` text DEFAULT 'none' NOT NULL,
	`location_detail` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	CONSTRAINT "services_location_kind" CHECK(location_kind in ('none', 'video_fixed', 'video_room', 'address', 'phone')),
	CONSTRAINT "services_duration_positive" CHECK(duration_minutes > 0),
	CONSTRAINT "services_price_non_negative" CHECK(price_minor >= 0),
	CONSTRAINT "services_currency_lowercase" CHECK(currency = lower(currency) and length(currency) = 3)
);
--> statement-breakpoint
INSERT INTO `__new_services`("id", "slug", "name", "description", "duration_minutes", "price_minor", "currency", "active", "sort_order", "created_at") SELECT "id", "slug", "name", "description", "duration_minutes", "price_minor", "currency", "active", "sort_order", "created_at" FROM `services`;--> statement-breakpoint
DROP TABLE `services`;--> statement-breakpoint
ALTER TABLE `__new_services` RENAME TO `services`;--> statement-breakpoint
CREATE UNIQUE INDEX `services_slug_unique` ON `services` (`slug`);