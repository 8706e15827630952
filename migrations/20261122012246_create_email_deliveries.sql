-- Create "email_deliveries" table
CREATE TABLE "public"."email_deliveries" (
  "message_id" uuid NOT NULL,
  "tenant_id" uuid NOT NULL,
  "recipient_user_id" uuid,
  "to_address" text,
  "template" text NOT NULL,
  "locale" text,
  "status" text NOT NULL,
  "attempts" integer NOT NULL,
  "last_error" text,
  "provider_message_id" text,
  "claimed_until" timestamp with time zone,
  "created_at" timestamp with time zone NOT NULL,
  "updated_at" timestamp with time zone NOT NULL,
  "sent_at" timestamp with time zone,
  CONSTRAINT "ck_email_deliveries_attempts_not_negative" CHECK (attempts >= 0),
  CONSTRAINT "ck_email_deliveries_sent_recorded" CHECK ((status = 'sent'::text) = (sent_at IS NOT NULL AND provider_message_id IS NOT NULL)),
  CONSTRAINT "ck_email_deliveries_status_known" CHECK (status = ANY (ARRAY['queued'::text, 'sent'::text, 'failed'::text])),
  CONSTRAINT "fk_email_deliveries_tenant_id_tenants" FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE RESTRICT,
  CONSTRAINT "pk_email_deliveries" PRIMARY KEY (message_id)
);
-- Comment on table "email_deliveries"
COMMENT ON TABLE "public"."email_deliveries" IS 'One row per email message: its recipient, attempts, last error and outcome.';
