-- Create "api_clients" table
CREATE TABLE "public"."api_clients" (
  "id" uuid NOT NULL,
  "tenant_id" uuid NOT NULL,
  "name" text NOT NULL,
  "created_by" uuid NOT NULL,
  "created_at" timestamp with time zone NOT NULL,
  "secret_sealed" bytea NOT NULL,
  "secret_created_at" timestamp with time zone NOT NULL,
  "previous_secret_sealed" bytea,
  "previous_secret_created_at" timestamp with time zone,
  "previous_secret_expires_at" timestamp with time zone,
  "revoked_at" timestamp with time zone,
  CONSTRAINT "ck_api_clients_previous_secret_complete" CHECK ((previous_secret_sealed IS NULL) = (previous_secret_created_at IS NULL) AND (previous_secret_sealed IS NULL) = (previous_secret_expires_at IS NULL)),
  CONSTRAINT "fk_api_clients_tenant_id_tenants" FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE RESTRICT,
  CONSTRAINT "pk_api_clients" PRIMARY KEY (id)
);
-- Create index "ix_api_clients_tenant_id_created_at_active" to table: "api_clients"
CREATE INDEX ix_api_clients_tenant_id_created_at_active ON public.api_clients USING btree (tenant_id, created_at) WHERE (revoked_at IS NULL);
-- Comment on table "api_clients"
COMMENT ON TABLE "public"."api_clients" IS 'Machine credentials of a tenant for the partner API; secrets sealed with AES-256-GCM.';
