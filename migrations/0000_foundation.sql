CREATE TABLE `events` (
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
);
--> statement-breakpoint
CREATE INDEX `events_site_visitor_ts` ON `events` (`site_id`,`anonymous_id`,`ts`);--> statement-breakpoint
CREATE TABLE `leads` (
	`id` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`user_id` text,
	`email` text,
	`traits` text DEFAULT '{}' NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`sessions` integer DEFAULT 1 NOT NULL,
	`event_count` integer DEFAULT 0 NOT NULL,
	`first_touch` text,
	`last_touch` text,
	`stage` text DEFAULT 'visitor' NOT NULL,
	`score` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `leads_site_email` ON `leads` (`site_id`,`email`) WHERE email is not null;--> statement-breakpoint
CREATE UNIQUE INDEX `leads_site_user` ON `leads` (`site_id`,`user_id`) WHERE user_id is not null;--> statement-breakpoint
CREATE TABLE `sites` (
	`id` text PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`origins` text NOT NULL,
	`origin` text,
	`hostnames` text DEFAULT '[]' NOT NULL,
	`settings` text DEFAULT '{}' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sites_key_unique` ON `sites` (`key`);--> statement-breakpoint
CREATE TABLE `visitors` (
	`site_id` text NOT NULL,
	`anonymous_id` text NOT NULL,
	`lead_id` text NOT NULL,
	`first_seen` integer NOT NULL,
	PRIMARY KEY(`site_id`, `anonymous_id`)
);
--> statement-breakpoint
CREATE INDEX `visitors_lead` ON `visitors` (`lead_id`);