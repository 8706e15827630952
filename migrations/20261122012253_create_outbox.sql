-- Create "outbox" table
CREATE TABLE "public"."outbox" (
  "id" uuid NOT NULL,
  "kind" text NOT NULL,
  "payload" jsonb NOT NULL,
  "tenant_id" uuid NOT NULL,
  "created_at" timestamp with time zone NOT NULL,
  "available_at" timestamp with time zone NOT NULL,
  "attempts" integer DEFAULT 0 NOT NULL,
  "last_error" text,
  "dispatched_at" timestamp with time zone,
  CONSTRAINT "ck_outbox_attempts_not_negative" CHECK (attempts >= 0),
  CONSTRAINT "ck_outbox_kind_known" CHECK (kind = 'send_email'::text),
  CONSTRAINT "pk_outbox" PRIMARY KEY (id)
);
-- Create index "ix_outbox_available_at_undispatched" to table: "outbox"
CREATE INDEX ix_outbox_available_at_undispatched ON public.outbox USING btree (available_at) WHERE (dispatched_at IS NULL);
-- Comment on table "outbox"
COMMENT ON TABLE "public"."outbox" IS 'Messages committed with the change that asked for them; the worker''s relay dispatches them.';
