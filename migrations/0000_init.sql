CREATE TABLE `consumers` (
	`name` text PRIMARY KEY NOT NULL,
	`position` integer NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `event_tags` (
	`tag` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`tag`, `position`)
);
--> statement-breakpoint
CREATE TABLE `events` (
	`position` integer PRIMARY KEY NOT NULL,
	`id` blob NOT NULL,
	`stream` text,
	`revision` integer,
	`category` text,
	`stream_hash` integer,
	`type` text NOT NULL,
	`time` integer NOT NULL,
	`data` blob,
	`metadata` blob,
	`tags` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_id` ON `events` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `events_stream_revision` ON `events` (`stream`,`revision`);--> statement-breakpoint
CREATE INDEX `events_type_position` ON `events` (`type`,`position`);--> statement-breakpoint
CREATE INDEX `events_category_position` ON `events` (`category`,`position`);