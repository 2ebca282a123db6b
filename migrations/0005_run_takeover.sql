CREATE TABLE "hub_instances" (
	"id" text PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"pid" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"alive_until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "handover_reason" text;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "cancel_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "notes" text[] DEFAULT '{}'::text[] NOT NULL;