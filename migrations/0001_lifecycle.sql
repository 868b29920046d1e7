CREATE TABLE `retention` (
	`scope` text NOT NULL,
	`name` text NOT NULL,
	`max_age_ms` integer,
	`max_count` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`scope`, `name`)
);
--> statement-breakpoint
CREATE TABLE `stream_lifecycle` (
	`stream` text PRIMARY KEY NOT NULL,
	`floor` integer DEFAULT 0 NOT NULL,
	`last_revision` integer NOT NULL,
	`last_position` integer NOT NULL,
	`deleted_revision` integer,
	`hard` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `stream_lifecycle_last_position` ON `stream_lifecycle` (`last_position`);