ALTER TABLE "sync_run_flows" ADD COLUMN "notes" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_run_flows" ADD COLUMN "skips" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_run_flows" ADD CONSTRAINT "sync_run_flows_skips_check" CHECK (jsonb_typeof("sync_run_flows"."skips") = 'object');