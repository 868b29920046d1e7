CREATE TABLE `removal_backlog` (
	`stream` text PRIMARY KEY NOT NULL,
	`below` integer NOT NULL
);
