ALTER TABLE "sync_runs" ADD COLUMN "owner_instance" text;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "owner_host" text;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "owner_pid" integer;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "lease_expires_at" timestamp with time zone;