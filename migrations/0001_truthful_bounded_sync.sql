CREATE TABLE `job_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_id` text NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer NOT NULL,
	`canvas_requests` integer NOT NULL,
	`d1_statements` integer NOT NULL,
	`subrequests` integer NOT NULL,
	`outcome` text NOT NULL,
	`stopped_by` text
);
--> statement-breakpoint
CREATE INDEX `job_deliveries_job_idx` ON `job_deliveries` (`job_id`,`id`);--> statement-breakpoint
CREATE TABLE `sync_issues` (
	`course_id` integer NOT NULL,
	`item_id` text NOT NULL,
	`type` text NOT NULL,
	`canvas_id` text NOT NULL,
	`status` text NOT NULL,
	`category` text NOT NULL,
	`reason` text NOT NULL,
	`job_id` text NOT NULL,
	`canvas_updated_at` text,
	`parent_id` text,
	`first_at` integer NOT NULL,
	`last_at` integer NOT NULL,
	`attempts` integer DEFAULT 1 NOT NULL,
	PRIMARY KEY(`course_id`, `item_id`)
);
--> statement-breakpoint
CREATE INDEX `sync_issues_job_idx` ON `sync_issues` (`job_id`);--> statement-breakpoint
ALTER TABLE `items` ADD `last_job_id` text;--> statement-breakpoint
ALTER TABLE `items` ADD `last_change_kind` text;--> statement-breakpoint
ALTER TABLE `items` ADD `observed_at` integer;--> statement-breakpoint
ALTER TABLE `items` ADD `data_key` text;