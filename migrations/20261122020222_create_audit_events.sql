-- Create "audit_events" table
CREATE TABLE "public"."audit_events" (
  "id" uuid NOT NULL,
  "tenant_id" uuid NOT NULL,
  "occurred_at" timestamp with time zone NOT NULL,
  "action" text NOT NULL,
  "entity_type" text NOT NULL,
  "entity_id" uuid NOT NULL,
  "actor_kind" text NOT NULL,
  "actor_id" uuid,
  "changes" jsonb NOT NULL,
  "request_id" text,
  "ip" inet,
  "user_agent" text,
  CONSTRAINT "ck_audit_events_actor_kind_known" CHECK (actor_kind = ANY (ARRAY['user'::text, 'api_client'::text, 'anonymous'::text, 'system'::text])),
  CONSTRAINT "pk_audit_events" PRIMARY KEY (id)
);
-- Create index "ix_audit_events_tenant_id_action_id" to table: "audit_events"
CREATE INDEX ix_audit_events_tenant_id_action_id ON public.audit_events USING btree (tenant_id, action, id);
-- Create index "ix_audit_events_tenant_id_actor_id_id" to table: "audit_events"
CREATE INDEX ix_audit_events_tenant_id_actor_id_id ON public.audit_events USING btree (tenant_id, actor_id, id);
-- Create index "ix_audit_events_tenant_id_entity_id_id" to table: "audit_events"
CREATE INDEX ix_audit_events_tenant_id_entity_id_id ON public.audit_events USING btree (tenant_id, entity_id, id);
-- Create index "ix_audit_events_tenant_id_id" to table: "audit_events"
CREATE INDEX ix_audit_events_tenant_id_id ON public.audit_events USING btree (tenant_id, id);
-- Comment on table "audit_events"
COMMENT ON TABLE "public"."audit_events" IS 'Who changed what and when, written with the change; append-only.';
