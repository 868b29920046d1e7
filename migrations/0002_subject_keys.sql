CREATE TABLE `subject_keys` (
	`subject` text PRIMARY KEY NOT NULL,
	`wrapped` blob,
	`kek` text NOT NULL,
	`created_at` integer NOT NULL,
	`erased_at` integer
);
