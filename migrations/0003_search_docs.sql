CREATE TABLE `search_docs` (
	`doc_id` integer PRIMARY KEY NOT NULL,
	`item_id` text NOT NULL,
	`course_id` integer NOT NULL,
	`type` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`text_key` text,
	`body_status` text NOT NULL,
	`body_truncated` integer DEFAULT 0 NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`indexed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `search_docs_item_idx` ON `search_docs` (`item_id`);--> statement-breakpoint
CREATE INDEX `search_docs_pending_idx` ON `search_docs` (`body_status`,`course_id`);--> statement-breakpoint
CREATE INDEX `items_changed_idx` ON `items` (`changed_at`,`id`);