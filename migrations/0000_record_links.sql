CREATE TABLE "record_links" (
	"entity" text NOT NULL,
	"business_key" text NOT NULL,
	"business_key_normalized" text NOT NULL,
	"sales_id" uuid,
	"finance_key" text,
	"finance_company" text,
	"last_synced_at" timestamp with time zone,
	"content_hash" text,
	"last_run_id" text,
	"last_error" text,
	"state" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "record_links_entity_business_key_normalized_pk" PRIMARY KEY("entity","business_key_normalized"),
	CONSTRAINT "record_links_entity_check" CHECK ("record_links"."entity" in ('account', 'contact', 'quote', 'product')),
	CONSTRAINT "record_links_state_check" CHECK ("record_links"."state" in ('PENDING', 'FAILED'))
);
