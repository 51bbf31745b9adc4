-- Flows, the outbox, suppressions and dead letters. Hand-edited after drizzle-kit: the keyed tables written per
-- enrollment and step are WITHOUT ROWID (one written row per insert instead of two).
CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`site_id` text,
	`kind` text NOT NULL,
	`body` text NOT NULL,
	`attempts` integer NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dead_letters_at` ON `dead_letters` (`at`);--> statement-breakpoint
CREATE TABLE `flow_effects` (
	`flow_id` text NOT NULL,
	`lead_id` text NOT NULL,
	`number` integer NOT NULL,
	`step` text NOT NULL,
	`kind` text NOT NULL,
	`token` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`flow_id`, `lead_id`, `number`, `step`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `flow_enrollments` (
	`flow_id` text NOT NULL,
	`lead_id` text NOT NULL,
	`number` integer NOT NULL,
	`site_id` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`cursor` text,
	`next_at` integer,
	`time_zone` text DEFAULT 'UTC' NOT NULL,
	`enrolled_at` integer NOT NULL,
	`ended_at` integer,
	`exit_reason` text,
	PRIMARY KEY(`flow_id`, `lead_id`, `number`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `flow_enrollments_due` ON `flow_enrollments` (`next_at`) WHERE status = 'active';--> statement-breakpoint
CREATE TABLE `flows` (
	`id` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`name` text NOT NULL,
	`enabled` integer DEFAULT false NOT NULL,
	`definition` text NOT NULL,
	`template_id` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `flows_site` ON `flows` (`site_id`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`lead_id` text NOT NULL,
	`flow_id` text,
	`enrollment` integer,
	`step` text,
	`channel` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`to` text,
	`subject` text,
	`content` text NOT NULL,
	`variant` text,
	`reason` text,
	`provider` text,
	`provider_id` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`due_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`claimed_at` integer,
	`claim_token` text,
	`sent_at` integer,
	`shown_at` integer,
	`clicked_at` integer,
	`dismissed_at` integer,
	`opened_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `messages_site_created` ON `messages` (`site_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `messages_lead` ON `messages` (`lead_id`,`sent_at`);--> statement-breakpoint
CREATE INDEX `messages_queued` ON `messages` (`due_at`) WHERE status in ('queued', 'sending');--> statement-breakpoint
CREATE INDEX `messages_provider` ON `messages` (`provider_id`) WHERE provider_id is not null;--> statement-breakpoint
CREATE TABLE `suppressions` (
	`site_id` text NOT NULL,
	`email` text NOT NULL,
	`reason` text NOT NULL,
	`message_id` text,
	`at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `email`)
) WITHOUT ROWID;
