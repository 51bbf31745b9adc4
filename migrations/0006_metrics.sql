-- Edited after drizzle-kit generate: the roll-up tables are WITHOUT ROWID (one D1 row written per upsert).
CREATE TABLE `daily_counts` (
	`site_id` text NOT NULL,
	`day` integer NOT NULL,
	`metric` text NOT NULL,
	`value` real NOT NULL,
	PRIMARY KEY(`site_id`, `day`, `metric`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `lead_facts` (
	`site_id` text NOT NULL,
	`lead_id` text NOT NULL,
	`event_count` integer NOT NULL,
	`stage` text NOT NULL,
	`segment` text,
	`revenue` real DEFAULT 0 NOT NULL,
	`first_source` text NOT NULL,
	`first_medium` text NOT NULL,
	`first_campaign` text NOT NULL,
	`first_referrer` text NOT NULL,
	`first_touch_at` integer NOT NULL,
	`last_source` text NOT NULL,
	`last_medium` text NOT NULL,
	`last_campaign` text NOT NULL,
	`last_referrer` text NOT NULL,
	`at0` integer,
	`at1` integer,
	`at2` integer,
	`at3` integer,
	`at4` integer,
	`at5` integer,
	`at6` integer,
	`day0` integer,
	`day1` integer,
	`day2` integer,
	`day3` integer,
	`day4` integer,
	`day5` integer,
	`day6` integer,
	`churned_at` integer,
	`churned_day` integer,
	PRIMARY KEY(`site_id`, `lead_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `metric_cells` (
	`site_id` text NOT NULL,
	`metric` text NOT NULL,
	`day` integer NOT NULL,
	`dim` text NOT NULL,
	`value` real NOT NULL,
	PRIMARY KEY(`site_id`, `metric`, `day`, `dim`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `rollup_state` (
	`site_id` text PRIMARY KEY NOT NULL,
	`time_zone` text NOT NULL,
	`preset` text NOT NULL,
	`changes_seq` integer DEFAULT 0 NOT NULL,
	`complete_at` integer DEFAULT 0 NOT NULL,
	`checked_at` integer DEFAULT 0 NOT NULL,
	`pruned_before` integer DEFAULT 0 NOT NULL,
	`lease_until` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `visitor_days` (
	`site_id` text NOT NULL,
	`day` integer NOT NULL,
	`anonymous_id` text NOT NULL,
	PRIMARY KEY(`site_id`, `day`, `anonymous_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `vital_samples` (
	`site_id` text NOT NULL,
	`day` integer NOT NULL,
	`event_id` text NOT NULL,
	`page` text NOT NULL,
	`experiences` text NOT NULL,
	`metric` text NOT NULL,
	`value` real NOT NULL,
	PRIMARY KEY(`site_id`, `page`, `experiences`, `metric`, `value`, `event_id`)
) WITHOUT ROWID;
