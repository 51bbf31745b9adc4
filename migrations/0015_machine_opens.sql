DROP INDEX `messages_metrics`;--> statement-breakpoint
ALTER TABLE `messages` ADD `machine_opened_at` integer;--> statement-breakpoint
CREATE INDEX `messages_metrics` ON `messages` (`site_id`,`sent_at`,`status`,`channel`,`flow_id`,`step`,`variant`,`opened_at`,`clicked_at`,`unsubscribed_at`,`bounced_at`,`complained_at`,`shown_at`,`dismissed_at`,`scanned_at`,`machine_opened_at`) WHERE sent_at is not null;--> statement-breakpoint
ALTER TABLE `message_days` ADD `machine_opened` integer DEFAULT 0 NOT NULL;