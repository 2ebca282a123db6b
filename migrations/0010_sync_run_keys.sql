CREATE TABLE "sync_run_keys" (
	"run_id" text NOT NULL,
	"flow" text NOT NULL,
	"key_normalized" text NOT NULL,
	"claimed_by" text NOT NULL,
	CONSTRAINT "sync_run_keys_run_id_flow_key_normalized_pk" PRIMARY KEY("run_id","flow","key_normalized")
);
--> statement-breakpoint
ALTER TABLE "sync_run_keys" ADD CONSTRAINT "sync_run_keys_run_id_flow_sync_run_flows_run_id_flow_fk" FOREIGN KEY ("run_id","flow") REFERENCES "public"."sync_run_flows"("run_id","flow") ON DELETE cascade ON UPDATE no action;