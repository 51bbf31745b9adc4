ALTER TABLE `sites` ADD `ignored_bots` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sites` ADD `ignored_automated` integer DEFAULT 0 NOT NULL;