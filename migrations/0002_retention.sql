ALTER TABLE `metric_counters` ADD `updated_at` integer;--> statement-breakpoint
CREATE INDEX `event_marks_at_idx` ON `event_marks` (`at`);--> statement-breakpoint
CREATE INDEX `items_tombstones_idx` ON `items` (`deleted_at`) WHERE deleted_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX `sync_jobs_finished_idx` ON `sync_jobs` (`finished_at`);