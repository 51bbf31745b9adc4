ALTER TABLE `messages` ADD `unsubscribed_at` integer;--> statement-breakpoint
ALTER TABLE `messages` ADD `bounced_at` integer;--> statement-breakpoint
ALTER TABLE `messages` ADD `complained_at` integer;--> statement-breakpoint
CREATE INDEX `messages_metrics` ON `messages` (`site_id`,`sent_at`,`status`,`channel`,`flow_id`,`step`,`variant`,`opened_at`,`clicked_at`,`unsubscribed_at`,`bounced_at`,`complained_at`,`shown_at`,`dismissed_at`) WHERE sent_at is not null;--> statement-breakpoint
CREATE INDEX `messages_unsent` ON `messages` (`site_id`,`created_at`) WHERE status in ('failed', 'suppressed');