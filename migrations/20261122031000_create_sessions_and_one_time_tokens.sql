-- Create "one_time_tokens" table
CREATE TABLE "public"."one_time_tokens" (
  "id" uuid NOT NULL,
  "tenant_id" uuid NOT NULL,
  "user_id" uuid NOT NULL,
  "purpose" text NOT NULL,
  "token_hash" bytea NOT NULL,
  "email" text COLLATE "C" NOT NULL,
  "created_at" timestamp with time zone NOT NULL,
  "expires_at" timestamp with time zone NOT NULL,
  "used_at" timestamp with time zone,
  CONSTRAINT "ck_one_time_tokens_purpose_known" CHECK (purpose = ANY (ARRAY['password_reset'::text, 'email_verification'::text])),
  CONSTRAINT "ck_one_time_tokens_token_hash_sha256" CHECK (octet_length(token_hash) = 32),
  CONSTRAINT "fk_one_time_tokens_tenant_id_tenants" FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE RESTRICT,
  CONSTRAINT "fk_one_time_tokens_user_id_users" FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT "pk_one_time_tokens" PRIMARY KEY (id)
);
-- Create "refresh_tokens" table
CREATE TABLE "public"."refresh_tokens" (
  "id" uuid NOT NULL,
  "family_id" uuid NOT NULL,
  "tenant_id" uuid NOT NULL,
  "user_id" uuid NOT NULL,
  "token_hash" bytea NOT NULL,
  "created_at" timestamp with time zone NOT NULL,
  "expires_at" timestamp with time zone NOT NULL,
  "spent_at" timestamp with time zone,
  "replaced_by" uuid,
  "revoked_at" timestamp with time zone,
  "revoked_reason" text,
  CONSTRAINT "ck_refresh_tokens_revocation_explained" CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL)),
  CONSTRAINT "ck_refresh_tokens_revoked_reason_known" CHECK (revoked_reason IS NULL OR (revoked_reason = ANY (ARRAY['logout'::text, 'reuse_detected'::text, 'password_reset'::text, 'user_inactive'::text]))),
  CONSTRAINT "ck_refresh_tokens_spent_replaced" CHECK ((spent_at IS NULL) = (replaced_by IS NULL)),
  CONSTRAINT "ck_refresh_tokens_token_hash_sha256" CHECK (octet_length(token_hash) = 32),
  CONSTRAINT "fk_refresh_tokens_tenant_id_tenants" FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE RESTRICT,
  CONSTRAINT "fk_refresh_tokens_user_id_users" FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT "pk_refresh_tokens" PRIMARY KEY (id)
);
-- Create index "ix_one_time_tokens_expires_at" to table: "one_time_tokens"
CREATE INDEX ix_one_time_tokens_expires_at ON public.one_time_tokens USING btree (expires_at);
-- Create index "ix_one_time_tokens_tenant_id_user_id_purpose_unused" to table: "one_time_tokens"
CREATE INDEX ix_one_time_tokens_tenant_id_user_id_purpose_unused ON public.one_time_tokens USING btree (tenant_id, user_id, purpose) WHERE (used_at IS NULL);
-- Create index "uq_one_time_tokens_token_hash" to table: "one_time_tokens"
CREATE UNIQUE INDEX uq_one_time_tokens_token_hash ON public.one_time_tokens USING btree (token_hash);
-- Create index "ix_refresh_tokens_expires_at" to table: "refresh_tokens"
CREATE INDEX ix_refresh_tokens_expires_at ON public.refresh_tokens USING btree (expires_at);
-- Create index "ix_refresh_tokens_family_id" to table: "refresh_tokens"
CREATE INDEX ix_refresh_tokens_family_id ON public.refresh_tokens USING btree (family_id);
-- Create index "ix_refresh_tokens_tenant_id_user_id" to table: "refresh_tokens"
CREATE INDEX ix_refresh_tokens_tenant_id_user_id ON public.refresh_tokens USING btree (tenant_id, user_id);
-- Create index "uq_refresh_tokens_token_hash" to table: "refresh_tokens"
CREATE UNIQUE INDEX uq_refresh_tokens_token_hash ON public.refresh_tokens USING btree (token_hash);
-- Comment on table "one_time_tokens"
COMMENT ON TABLE "public"."one_time_tokens" IS 'Password-reset and email-verification tokens by digest; used_at ends them.';
-- Comment on table "refresh_tokens"
COMMENT ON TABLE "public"."refresh_tokens" IS 'Refresh tokens by digest, in families; spent ones name their successor.';
