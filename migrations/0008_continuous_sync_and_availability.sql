CREATE TABLE "continuous_syncs" (
	"flow" text PRIMARY KEY NOT NULL,
	"enabled" boolean NOT NULL,
	"interval_seconds" integer,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_checked_at" timestamp with time zone,
	"last_change_seen_at" timestamp with time zone,
	"last_run_id" text,
	"failures" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"next_check_at" timestamp with time zone,
	CONSTRAINT "continuous_syncs_flow_check" CHECK ("continuous_syncs"."flow" in ('accounts', 'contacts', 'products', 'quotes')),
	CONSTRAINT "continuous_syncs_interval_check" CHECK ("continuous_syncs"."interval_seconds" is null or "continuous_syncs"."interval_seconds" >= 1)
);
--> statement-breakpoint
CREATE TABLE "system_availability" (
	"system" text PRIMARY KEY NOT NULL,
	"down_since" timestamp with time zone,
	"last_checked_at" timestamp with time zone NOT NULL,
	"last_error" text,
	"alerted_at" timestamp with time zone,
	CONSTRAINT "system_availability_system_check" CHECK ("system_availability"."system" in ('sales', 'finance'))
);
--> statement-breakpoint
ALTER TABLE "sync_schedules" ADD COLUMN "alert_on" text[] DEFAULT '{RUN_FAILED,RUN_COMPLETED_WITH_ERRORS,SCHEDULE_SKIPPED}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "continuous_syncs" ADD CONSTRAINT "continuous_syncs_last_run_id_sync_runs_id_fk" FOREIGN KEY ("last_run_id") REFERENCES "public"."sync_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_schedules" ADD CONSTRAINT "sync_schedules_alert_on_check" CHECK ("sync_schedules"."alert_on" <@ array['RUN_FAILED', 'RUN_COMPLETED_WITH_ERRORS', 'SCHEDULE_SKIPPED']::text[]);