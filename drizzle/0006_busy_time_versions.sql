CREATE TABLE `coach_busy_versions` (
	`coach_id` integer PRIMARY KEY NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`coach_id`) REFERENCES `coaches`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Written by hand (drizzle-kit does not model triggers): every write to a booking raises its
-- coach's counter, so a cache of busy time can tell that it is stale with one indexed read.
CREATE TRIGGER `bookings_busy_version_insert` AFTER INSERT ON `bookings` BEGIN
  INSERT INTO `coach_busy_versions` (`coach_id`, `version`) VALUES (NEW.`coach_id`, 1)
    ON CONFLICT (`coach_id`) DO UPDATE SET `version` = `version` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `bookings_busy_version_update` AFTER UPDATE OF `status`, `start_at`, `end_at`, `coach_id`, `hold_expires_at`, `draft_id` ON `bookings` BEGIN
  INSERT INTO `coach_busy_versions` (`coach_id`, `version`) VALUES (NEW.`coach_id`, 1)
    ON CONFLICT (`coach_id`) DO UPDATE SET `version` = `version` + 1;
  INSERT INTO `coach_busy_versions` (`coach_id`, `version`)
    SELECT OLD.`coach_id`, 1 WHERE OLD.`coach_id` <> NEW.`coach_id`
    ON CONFLICT (`coach_id`) DO UPDATE SET `version` = `version` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `bookings_busy_version_delete` AFTER DELETE ON `bookings` BEGIN
  INSERT INTO `coach_busy_versions` (`coach_id`, `version`) VALUES (OLD.`coach_id`, 1)
    ON CONFLICT (`coach_id`) DO UPDATE SET `version` = `version` + 1;
END;
