ALTER TABLE "continuous_syncs" DROP CONSTRAINT "continuous_syncs_flow_check";--> statement-breakpoint
ALTER TABLE "record_links" DROP CONSTRAINT "record_links_entity_check";--> statement-breakpoint
ALTER TABLE "sync_cursors" DROP CONSTRAINT "sync_cursors_flow_check";--> statement-breakpoint
ALTER TABLE "sync_run_flows" DROP CONSTRAINT "sync_run_flows_flow_check";--> statement-breakpoint
ALTER TABLE "sync_runs" DROP CONSTRAINT "sync_runs_flows_check";--> statement-breakpoint
ALTER TABLE "sync_schedules" DROP CONSTRAINT "sync_schedules_flows_check";--> statement-breakpoint
ALTER TABLE "continuous_syncs" ADD CONSTRAINT "continuous_syncs_flow_check" CHECK ("continuous_syncs"."flow" in ('accounts', 'contacts', 'products', 'quotes', 'orders', 'orderStatus', 'invoices'));--> statement-breakpoint
ALTER TABLE "record_links" ADD CONSTRAINT "record_links_entity_check" CHECK ("record_links"."entity" in ('account', 'contact', 'quote', 'product', 'order', 'orderStatus', 'invoice'));--> statement-breakpoint
ALTER TABLE "sync_cursors" ADD CONSTRAINT "sync_cursors_flow_check" CHECK ("sync_cursors"."flow" in ('accounts', 'contacts', 'products', 'quotes', 'orders', 'orderStatus', 'invoices'));--> statement-breakpoint
ALTER TABLE "sync_run_flows" ADD CONSTRAINT "sync_run_flows_flow_check" CHECK ("sync_run_flows"."flow" in ('accounts', 'contacts', 'products', 'quotes', 'orders', 'orderStatus', 'invoices'));--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_flows_check" CHECK (cardinality("sync_runs"."flows") > 0 and "sync_runs"."flows" <@ array['accounts', 'contacts', 'products', 'quotes', 'orders', 'orderStatus', 'invoices']::text[]);--> statement-breakpoint
ALTER TABLE "sync_schedules" ADD CONSTRAINT "sync_schedules_flows_check" CHECK (cardinality("sync_schedules"."flows") > 0 and "sync_schedules"."flows" <@ array['accounts', 'contacts', 'products', 'quotes', 'orders', 'orderStatus', 'invoices']::text[]);