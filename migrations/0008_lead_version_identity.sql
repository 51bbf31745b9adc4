ALTER TABLE `leads` ADD `verified` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `leads` ADD `version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sites` ADD `identity_secret` text;