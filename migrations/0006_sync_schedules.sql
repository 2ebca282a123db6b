CREATE TABLE "sync_schedule_firings" (
	"schedule_id" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL,
	"run_id" text,
	"reason" text,
	"fired_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_schedule_firings_schedule_id_due_at_pk" PRIMARY KEY("schedule_id","due_at"),
	CONSTRAINT "sync_schedule_firings_outcome_check" CHECK ("sync_schedule_firings"."outcome" in ('STARTED', 'SKIPPED', 'FAILED'))
);
--> statement-breakpoint
CREATE TABLE "sync_schedules" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"flows" text[] NOT NULL,
	"mode" text NOT NULL,
	"dry_run" boolean NOT NULL,
	"cron" text NOT NULL,
	"time_zone" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_due_at" timestamp with time zone,
	CONSTRAINT "sync_schedules_name_unique" UNIQUE("name"),
	CONSTRAINT "sync_schedules_mode_check" CHECK ("sync_schedules"."mode" in ('INCREMENTAL', 'FULL')),
	CONSTRAINT "sync_schedules_flows_check" CHECK (cardinality("sync_schedules"."flows") > 0 and "sync_schedules"."flows" <@ array['accounts', 'contacts', 'products', 'quotes']::text[])
);
--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "trigger_kind" text DEFAULT 'PERSON' NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "trigger_name" text;--> statement-breakpoint
ALTER TABLE "sync_schedule_firings" ADD CONSTRAINT "sync_schedule_firings_schedule_id_sync_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."sync_schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_schedule_firings" ADD CONSTRAINT "sync_schedule_firings_run_id_sync_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."sync_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_trigger_kind_check" CHECK ("sync_runs"."trigger_kind" in ('PERSON', 'SCHEDULE', 'CONTINUOUS', 'WEBHOOK'));