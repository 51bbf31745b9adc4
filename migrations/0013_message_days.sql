CREATE TABLE `message_days` (
	`site_id` text NOT NULL,
	`day` integer NOT NULL,
	`flow_id` text NOT NULL,
	`step` text NOT NULL,
	`variant` text NOT NULL,
	`channel` text NOT NULL,
	`sent` integer NOT NULL,
	`opened` integer NOT NULL,
	`clicked` integer NOT NULL,
	`unsubscribed` integer NOT NULL,
	`bounced` integer NOT NULL,
	`complained` integer NOT NULL,
	`shown` integer NOT NULL,
	`dismissed` integer NOT NULL,
	PRIMARY KEY(`site_id`, `day`, `flow_id`, `step`, `variant`, `channel`)
);
--> statement-breakpoint
ALTER TABLE `rollup_state` ADD `messages_through` integer;