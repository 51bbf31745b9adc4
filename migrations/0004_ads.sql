CREATE TABLE `ads` (
	`id` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`campaign` text NOT NULL,
	`ad_group` text NOT NULL,
	`name` text NOT NULL,
	`headline` text NOT NULL,
	`keywords` text NOT NULL,
	`final_url` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ads_site_name` ON `ads` (`site_id`,`campaign`,`ad_group`,`name`);