CREATE TABLE `blobs` (
	`sha256` text PRIMARY KEY NOT NULL,
	`r2_key` text NOT NULL,
	`size` integer NOT NULL,
	`content_type` text,
	`created_at` integer NOT NULL,
	`orphaned_at` integer
);
--> statement-breakpoint
CREATE TABLE `collection_cursors` (
	`course_id` integer NOT NULL,
	`collection` text NOT NULL,
	`watermark` text,
	`reconciled_at` integer,
	PRIMARY KEY(`course_id`, `collection`)
);
--> statement-breakpoint
CREATE TABLE `courses` (
	`canvas_course_id` integer PRIMARY KEY NOT NULL,
	`name` text,
	`state` text DEFAULT 'idle' NOT NULL,
	`registered_at` integer NOT NULL,
	`last_sync_at` integer,
	`last_success_at` integer,
	`last_full_sync_at` integer,
	`next_sync_at` integer NOT NULL,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`last_error_category` text,
	`last_job_id` text,
	`change_rate_ppm` integer DEFAULT 0 NOT NULL,
	`activity` text,
	`breaker_open_until` integer,
	`auth_failed_token` text
);
--> statement-breakpoint
CREATE INDEX `courses_next_sync_idx` ON `courses` (`next_sync_at`);--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_id` text,
	`course_id` integer,
	`reason` text NOT NULL,
	`body` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `duplicates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`item_a` text NOT NULL,
	`item_b` text NOT NULL,
	`course_a` integer NOT NULL,
	`course_b` integer NOT NULL,
	`kind` text NOT NULL,
	`score` real NOT NULL,
	`text_hash_a` text,
	`text_hash_b` text,
	`status` text NOT NULL,
	`resolution` text,
	`canonical_item` text,
	`reason` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`resolved_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `duplicates_pair_idx` ON `duplicates` (`item_a`,`item_b`);--> statement-breakpoint
CREATE INDEX `duplicates_status_idx` ON `duplicates` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `duplicates_item_b_idx` ON `duplicates` (`item_b`);--> statement-breakpoint
CREATE TABLE `event_marks` (
	`object_key` text PRIMARY KEY NOT NULL,
	`course_id` integer NOT NULL,
	`event_time` text NOT NULL,
	`event_name` text NOT NULL,
	`job_id` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `item_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`item_id` text NOT NULL,
	`course_id` integer NOT NULL,
	`job_id` text,
	`kind` text NOT NULL,
	`fields` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `item_changes_item_idx` ON `item_changes` (`item_id`,`id`);--> statement-breakpoint
CREATE INDEX `item_changes_course_idx` ON `item_changes` (`course_id`,`at`);--> statement-breakpoint
CREATE TABLE `items` (
	`id` text PRIMARY KEY NOT NULL,
	`course_id` integer NOT NULL,
	`type` text NOT NULL,
	`canvas_id` text NOT NULL,
	`parent_id` text,
	`title` text,
	`content_hash` text NOT NULL,
	`canvas_updated_at` text,
	`canvas_modified_at` text,
	`size` integer,
	`data` text NOT NULL,
	`blob_sha256` text,
	`text_hash` text,
	`text` text,
	`text_key` text,
	`text_status` text,
	`dedup_hash` text,
	`dedup_provisional` integer,
	`replaces_id` text,
	`replaced_by_id` text,
	`version` integer DEFAULT 1 NOT NULL,
	`first_seen_at` integer NOT NULL,
	`changed_at` integer NOT NULL,
	`deleted_at` integer
);
--> statement-breakpoint
CREATE INDEX `items_course_type_idx` ON `items` (`course_id`,`type`);--> statement-breakpoint
CREATE INDEX `items_course_changed_idx` ON `items` (`course_id`,`changed_at`);--> statement-breakpoint
CREATE INDEX `items_type_canvas_idx` ON `items` (`type`,`canvas_id`);--> statement-breakpoint
CREATE INDEX `items_blob_idx` ON `items` (`blob_sha256`);--> statement-breakpoint
CREATE INDEX `items_text_hash_idx` ON `items` (`text_hash`);--> statement-breakpoint
CREATE TABLE `metric_counters` (
	`name` text NOT NULL,
	`labels` text DEFAULT '' NOT NULL,
	`value` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `metric_counters_key` ON `metric_counters` (`name`,`labels`);--> statement-breakpoint
CREATE TABLE `sync_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`course_id` integer NOT NULL,
	`mode` text NOT NULL,
	`trigger` text NOT NULL,
	`scope` text,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`progress_done` integer DEFAULT 0 NOT NULL,
	`progress_total` integer DEFAULT 0 NOT NULL,
	`checkpoint` text,
	`checkpoint_at` integer,
	`report` text,
	`error` text,
	`error_category` text
);
--> statement-breakpoint
CREATE INDEX `sync_jobs_course_idx` ON `sync_jobs` (`course_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `sync_jobs_status_idx` ON `sync_jobs` (`status`,`checkpoint_at`);