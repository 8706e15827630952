-- Create "tenants" table
CREATE TABLE "public"."tenants" (
  "id" uuid NOT NULL,
  "slug" text COLLATE "C" NOT NULL,
  "name" text NOT NULL,
  "status" text NOT NULL,
  "created_at" timestamp with time zone NOT NULL,
  CONSTRAINT "ck_tenants_status_known" CHECK (status = ANY (ARRAY['active'::text, 'suspended'::text])),
  CONSTRAINT "pk_tenants" PRIMARY KEY (id),
  CONSTRAINT "uq_tenants_slug" UNIQUE (slug)
);
-- Create "users" table
CREATE TABLE "public"."users" (
  "id" uuid NOT NULL,
  "tenant_id" uuid NOT NULL,
  "email" text COLLATE "C" NOT NULL,
  "username" text COLLATE "C" NOT NULL,
  "full_name" text NOT NULL,
  "roles" text[] NOT NULL,
  "status" text NOT NULL,
  "email_verified_at" timestamp with time zone,
  "locale" text NOT NULL,
  "timezone" text NOT NULL,
  "password_hash" text NOT NULL,
  "created_at" timestamp with time zone NOT NULL,
  "updated_at" timestamp with time zone NOT NULL,
  "deleted_at" timestamp with time zone,
  "version" integer NOT NULL,
  CONSTRAINT "ck_users_roles_known" CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['owner'::text, 'admin'::text, 'member'::text]),
  CONSTRAINT "ck_users_status_known" CHECK (status = ANY (ARRAY['active'::text, 'disabled'::text])),
  CONSTRAINT "ck_users_version_positive" CHECK (version >= 1),
  CONSTRAINT "fk_users_tenant_id_tenants" FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE RESTRICT,
  CONSTRAINT "pk_users" PRIMARY KEY (id)
);
-- Create index "ix_users_tenant_id_created_at_id" to table: "users"
CREATE INDEX ix_users_tenant_id_created_at_id ON public.users USING btree (tenant_id, created_at, id);
-- Create index "ix_users_tenant_id_email_id" to table: "users"
CREATE INDEX ix_users_tenant_id_email_id ON public.users USING btree (tenant_id, email, id);
-- Create index "ix_users_tenant_id_username_id" to table: "users"
CREATE INDEX ix_users_tenant_id_username_id ON public.users USING btree (tenant_id, username, id);
-- Create index "uq_users_tenant_id_email_active" to table: "users"
CREATE UNIQUE INDEX uq_users_tenant_id_email_active ON public.users USING btree (tenant_id, email) WHERE (deleted_at IS NULL);
-- Create index "uq_users_tenant_id_username_active" to table: "users"
CREATE UNIQUE INDEX uq_users_tenant_id_username_active ON public.users USING btree (tenant_id, username) WHERE (deleted_at IS NULL);
-- Comment on table "tenants"
COMMENT ON TABLE "public"."tenants" IS 'Organisations; every user belongs to exactly one.';
-- Comment on table "users"
COMMENT ON TABLE "public"."users" IS 'Users of a tenant; deleted_at marks a soft deletion, version counts changes.';
