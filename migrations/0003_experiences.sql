-- Edited after drizzle-kit generate: exposures is WITHOUT ROWID (one D1 row written per exposure).
CREATE TABLE `experiences` (
	`id` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`goal` text,
	`match` text NOT NULL,
	`variants` text NOT NULL,
	`control` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `experiences_site` ON `experiences` (`site_id`);--> statement-breakpoint
CREATE TABLE `exposures` (
	`site_id` text NOT NULL,
	`experience_id` text NOT NULL,
	`anonymous_id` text NOT NULL,
	`variant_id` text NOT NULL,
	`mode` text NOT NULL,
	`first_at` integer NOT NULL,
	`converted_at` integer,
	PRIMARY KEY(`site_id`, `experience_id`, `anonymous_id`)
) WITHOUT ROWID;
