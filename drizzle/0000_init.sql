CREATE TABLE `availability_overrides` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`coach_id` integer NOT NULL,
	`date` text NOT NULL,
	`start_minute` integer,
	`end_minute` integer,
	FOREIGN KEY (`coach_id`) REFERENCES `coaches`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "availability_overrides_range" CHECK((start_minute is null and end_minute is null) or
        (start_minute >= 0 and end_minute <= 1440 and start_minute < end_minute))
);
--> statement-breakpoint
CREATE INDEX `availability_overrides_coach_date_idx` ON `availability_overrides` (`coach_id`,`date`);--> statement-breakpoint
CREATE TABLE `availability_rules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`coach_id` integer NOT NULL,
	`weekday` integer NOT NULL,
	`start_minute` integer NOT NULL,
	`end_minute` integer NOT NULL,
	FOREIGN KEY (`coach_id`) REFERENCES `coaches`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "availability_rules_weekday" CHECK(weekday between 1 and 7),
	CONSTRAINT "availability_rules_range" CHECK(start_minute >= 0 and end_minute <= 1440 and start_minute < end_minute)
);
--> statement-breakpoint
CREATE INDEX `availability_rules_coach_idx` ON `availability_rules` (`coach_id`,`weekday`);--> statement-breakpoint
CREATE TABLE `booking_drafts` (
	`id` text PRIMARY KEY NOT NULL,
	`service_id` integer,
	`coach_id` integer,
	`start_at` integer,
	`client_timezone` text,
	`client_name` text,
	`client_email` text,
	`client_notes` text,
	`step` text DEFAULT 'service' NOT NULL,
	`checkout_session_id` text,
	`status` text DEFAULT 'editing' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`coach_id`) REFERENCES `coaches`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "booking_drafts_status" CHECK(status in ('editing', 'checkout', 'completed', 'abandoned')),
	CONSTRAINT "booking_drafts_lengths" CHECK(length(coalesce(client_name, '')) <= 100 and length(coalesce(client_email, '')) <= 254
        and length(coalesce(client_notes, '')) <= 1000 and length(coalesce(client_timezone, '')) <= 64)
);
--> statement-breakpoint
CREATE INDEX `booking_drafts_expires_idx` ON `booking_drafts` (`expires_at`);--> statement-breakpoint
CREATE INDEX `booking_drafts_checkout_session_idx` ON `booking_drafts` (`checkout_session_id`);--> statement-breakpoint
CREATE TABLE `booking_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`booking_id` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`actor` text NOT NULL,
	`reason` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "booking_events_actor" CHECK(actor in ('client', 'coach', 'stripe', 'system'))
);
--> statement-breakpoint
CREATE INDEX `booking_events_booking_idx` ON `booking_events` (`booking_id`,`at`);--> statement-breakpoint
CREATE TABLE `bookings` (
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
	`manage_token_hash` text NOT NULL,
	`needs_attention` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`coach_id`) REFERENCES `coaches`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "bookings_status" CHECK(status in ('held', 'processing', 'confirmed', 'completed', 'payment_failed', 'expired', 'cancelled', 'refunded')),
	CONSTRAINT "bookings_time_order" CHECK(start_at < end_at),
	CONSTRAINT "bookings_price_non_negative" CHECK(price_minor >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `bookings_checkout_session_id_unique` ON `bookings` (`checkout_session_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `bookings_manage_token_hash_unique` ON `bookings` (`manage_token_hash`);--> statement-breakpoint
CREATE INDEX `bookings_coach_start_idx` ON `bookings` (`coach_id`,`start_at`);--> statement-breakpoint
CREATE INDEX `bookings_status_hold_idx` ON `bookings` (`status`,`hold_expires_at`);--> statement-breakpoint
CREATE INDEX `bookings_start_idx` ON `bookings` (`start_at`);--> statement-breakpoint
CREATE TABLE `coach_services` (
	`coach_id` integer NOT NULL,
	`service_id` integer NOT NULL,
	PRIMARY KEY(`coach_id`, `service_id`),
	FOREIGN KEY (`coach_id`) REFERENCES `coaches`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `coach_services_service_idx` ON `coach_services` (`service_id`);--> statement-breakpoint
CREATE TABLE `coaches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`timezone` text NOT NULL,
	`bio` text DEFAULT '' NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `coaches_slug_unique` ON `coaches` (`slug`);--> statement-breakpoint
CREATE TABLE `email_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`booking_id` text,
	`recipient` text NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`text_body` text NOT NULL,
	`html_body` text,
	`ics` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`sent_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "email_outbox_status" CHECK(status in ('pending', 'sent', 'failed'))
);
--> statement-breakpoint
CREATE INDEX `email_outbox_due_idx` ON `email_outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `practice_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`tagline` text,
	`minimum_notice_minutes` integer DEFAULT 720 NOT NULL,
	`booking_window_days` integer DEFAULT 60 NOT NULL,
	`buffer_before_minutes` integer DEFAULT 0 NOT NULL,
	`buffer_after_minutes` integer DEFAULT 10 NOT NULL,
	`slot_interval_minutes` integer DEFAULT 30 NOT NULL,
	`cancellation_cutoff_hours` integer DEFAULT 24 NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	CONSTRAINT "practice_settings_single_row" CHECK(id = 1),
	CONSTRAINT "practice_settings_non_negative" CHECK(minimum_notice_minutes >= 0 and booking_window_days > 0 and buffer_before_minutes >= 0
        and buffer_after_minutes >= 0 and slot_interval_minutes > 0 and cancellation_cutoff_hours >= 0)
);
--> statement-breakpoint
CREATE TABLE `services` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`duration_minutes` integer NOT NULL,
	`price_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	CONSTRAINT "services_duration_positive" CHECK(duration_minutes > 0),
	CONSTRAINT "services_price_non_negative" CHECK(price_minor >= 0),
	CONSTRAINT "services_currency_lowercase" CHECK(currency = lower(currency) and length(currency) = 3)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `services_slug_unique` ON `services` (`slug`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`expires_at` integer NOT NULL,
	`user_agent` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_expires_idx` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `stripe_events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`received_at` integer NOT NULL,
	`processed_at` integer,
	`outcome` text
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text DEFAULT 'coach' NOT NULL,
	`coach_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`coach_id`) REFERENCES `coaches`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "users_role" CHECK(role in ('owner', 'coach'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);