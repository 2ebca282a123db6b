CREATE TABLE "sync_cursors" (
	"flow" text PRIMARY KEY NOT NULL,
	"delta_link" text,
	"checkpoint" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" text,
	CONSTRAINT "sync_cursors_flow_check" CHECK ("sync_cursors"."flow" in ('accounts', 'contacts', 'products', 'quotes'))
);
--> statement-breakpoint
CREATE TABLE "sync_failures" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sync_failures_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" text NOT NULL,
	"flow" text NOT NULL,
	"record_key" text NOT NULL,
	"message" text NOT NULL,
	"code" text,
	"attempt" integer DEFAULT 1 NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_failures_attempt_check" CHECK ("sync_failures"."attempt" >= 1)
);
--> statement-breakpoint
CREATE TABLE "sync_run_flows" (
	"run_id" text NOT NULL,
	"flow" text NOT NULL,
	"status" text NOT NULL,
	"read" integer DEFAULT 0 NOT NULL,
	"created" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"unchanged" integer DEFAULT 0 NOT NULL,
	"skipped" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"estimated_total" integer,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"error" text,
	CONSTRAINT "sync_run_flows_run_id_flow_pk" PRIMARY KEY("run_id","flow"),
	CONSTRAINT "sync_run_flows_flow_check" CHECK ("sync_run_flows"."flow" in ('accounts', 'contacts', 'products', 'quotes')),
	CONSTRAINT "sync_run_flows_status_check" CHECK ("sync_run_flows"."status" in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED')),
	CONSTRAINT "sync_run_flows_counters_check" CHECK (least("sync_run_flows"."read", "sync_run_flows"."created", "sync_run_flows"."updated", "sync_run_flows"."unchanged", "sync_run_flows"."skipped", "sync_run_flows"."failed") >= 0)
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"mode" text NOT NULL,
	"dry_run" boolean NOT NULL,
	"requested_by" text,
	"flows" text[] NOT NULL,
	"retry_of" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_runs_status_check" CHECK ("sync_runs"."status" in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED')),
	CONSTRAINT "sync_runs_mode_check" CHECK ("sync_runs"."mode" in ('INCREMENTAL', 'FULL')),
	CONSTRAINT "sync_runs_flows_check" CHECK (cardinality("sync_runs"."flows") > 0 and "sync_runs"."flows" <@ array['accounts', 'contacts', 'products', 'quotes']::text[])
);
--> statement-breakpoint
ALTER TABLE "sync_cursors" ADD CONSTRAINT "sync_cursors_last_run_id_sync_runs_id_fk" FOREIGN KEY ("last_run_id") REFERENCES "public"."sync_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_failures" ADD CONSTRAINT "sync_failures_run_id_flow_sync_run_flows_run_id_flow_fk" FOREIGN KEY ("run_id","flow") REFERENCES "public"."sync_run_flows"("run_id","flow") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_run_flows" ADD CONSTRAINT "sync_run_flows_run_id_sync_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."sync_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_retry_of_sync_runs_id_fk" FOREIGN KEY ("retry_of") REFERENCES "public"."sync_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sync_failures_run_flow_idx" ON "sync_failures" USING btree ("run_id","flow","id");--> statement-breakpoint
CREATE INDEX "sync_runs_status_id_idx" ON "sync_runs" USING btree ("status","id");