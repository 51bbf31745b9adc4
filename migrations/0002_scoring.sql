-- Edited after drizzle-kit generate: score_entries is WITHOUT ROWID (one D1 row written per ledger entry).
CREATE TABLE `lead_changes` (
	`seq` integer PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`lead_id` text NOT NULL,
	`kind` text NOT NULL,
	`from` text,
	`to` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `lead_changes_lead` ON `lead_changes` (`lead_id`);--> statement-breakpoint
CREATE TABLE `score_entries` (
	`site_id` text NOT NULL,
	`lead_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`points` integer NOT NULL,
	`at` integer NOT NULL,
	`event_id` text,
	`expires_at` integer,
	`lapsed` integer DEFAULT false NOT NULL,
	PRIMARY KEY(`site_id`, `lead_id`, `rule_id`, `key`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `score_entries_expiring` ON `score_entries` (`expires_at`) WHERE expires_at is not null and lapsed = 0;--> statement-breakpoint
CREATE TABLE `score_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`name` text NOT NULL,
	`points` integer NOT NULL,
	`limit` integer,
	`expires_days` integer,
	`enabled` integer DEFAULT true NOT NULL,
	`match` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `score_rules_site` ON `score_rules` (`site_id`);--> statement-breakpoint
ALTER TABLE `leads` ADD `fit_score` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `leads` ADD `engagement_score` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `leads` ADD `stage_changed_at` integer;--> statement-breakpoint
ALTER TABLE `leads` ADD `purchases` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `leads` ADD `revenue` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `leads` ADD `last_purchase_at` integer;--> statement-breakpoint
ALTER TABLE `leads` ADD `sales_event_at` integer;--> statement-breakpoint
ALTER TABLE `leads` ADD `referral_event_at` integer;--> statement-breakpoint
ALTER TABLE `leads` ADD `rfm` text;--> statement-breakpoint
CREATE INDEX `leads_site_seen` ON `leads` (`site_id`,`last_seen`);--> statement-breakpoint
ALTER TABLE `sites` ADD `scoring` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `sites` ADD `rules_version` integer DEFAULT 0 NOT NULL;