ALTER TABLE `messages` ADD `unsubscribed_at` integer;--> statement-breakpoint
ALTER TABLE `messages` ADD `bounced_at` integer;--> statement-breakpoint
ALTER TABLE `messages` ADD `complained_at` integer;--> statement-breakpoint
CREATE INDEX `messages_site_sent` ON `messages` (`site_id`,`sent_at`) WHERE sent_at is not null;