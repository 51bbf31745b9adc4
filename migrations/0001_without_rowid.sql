-- Custom migration (drizzle-kit cannot express WITHOUT ROWID): the two tables written on every ingest keep
-- their rows in primary-key order, so an insert costs D1 one written row per index instead of one extra.
CREATE TABLE `events_new` (
	`site_id` text NOT NULL,
	`event_id` text NOT NULL,
	`type` text NOT NULL,
	`name` text,
	`anonymous_id` text NOT NULL,
	`user_id` text,
	`ts` integer NOT NULL,
	`received_at` integer NOT NULL,
	`url` text,
	`data` text,
	`context` text,
	PRIMARY KEY(`site_id`, `event_id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `events_new` SELECT `site_id`, `event_id`, `type`, `name`, `anonymous_id`, `user_id`, `ts`, `received_at`, `url`, `data`, `context` FROM `events`;--> statement-breakpoint
DROP TABLE `events`;--> statement-breakpoint
ALTER TABLE `events_new` RENAME TO `events`;--> statement-breakpoint
CREATE INDEX `events_site_visitor_ts` ON `events` (`site_id`,`anonymous_id`,`ts`);--> statement-breakpoint
CREATE TABLE `visitors_new` (
	`site_id` text NOT NULL,
	`anonymous_id` text NOT NULL,
	`lead_id` text NOT NULL,
	`first_seen` integer NOT NULL,
	PRIMARY KEY(`site_id`, `anonymous_id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `visitors_new` SELECT `site_id`, `anonymous_id`, `lead_id`, `first_seen` FROM `visitors`;--> statement-breakpoint
DROP TABLE `visitors`;--> statement-breakpoint
ALTER TABLE `visitors_new` RENAME TO `visitors`;--> statement-breakpoint
CREATE INDEX `visitors_lead` ON `visitors` (`lead_id`);
