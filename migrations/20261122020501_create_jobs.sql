-- Create "jobs" table
CREATE TABLE "public"."jobs" (
  "id" uuid NOT NULL,
  "tenant_id" uuid NOT NULL,
  "kind" text NOT NULL,
  "status" text NOT NULL,
  "requested_by" uuid NOT NULL,
  "parameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
  "total" bigint,
  "processed" bigint DEFAULT 0 NOT NULL,
  "succeeded" bigint DEFAULT 0 NOT NULL,
  "failed" bigint DEFAULT 0 NOT NULL,
  "input_key" text,
  "result_key" text,
  "error_report_key" text,
  "error" text,
  "created_at" timestamp with time zone NOT NULL,
  "started_at" timestamp with time zone,
  "finished_at" timestamp with time zone,
  "progress_at" timestamp with time zone,
  CONSTRAINT "ck_jobs_finished_when_final" CHECK ((status = ANY (ARRAY['cancelled'::text, 'failed'::text, 'succeeded'::text])) = (finished_at IS NOT NULL)),
  CONSTRAINT "ck_jobs_kind_known" CHECK (kind = ANY (ARRAY['import'::text, 'export'::text])),
  CONSTRAINT "ck_jobs_progress_consistent" CHECK (processed >= 0 AND succeeded >= 0 AND failed >= 0 AND processed = (succeeded + failed)),
  CONSTRAINT "ck_jobs_status_known" CHECK (status = ANY (ARRAY['queued'::text, 'running'::text, 'succeeded'::text, 'failed'::text, 'cancelled'::text])),
  CONSTRAINT "fk_jobs_tenant_id_tenants" FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE,
  CONSTRAINT "pk_jobs" PRIMARY KEY (id)
);
-- Create "job_chunks" table
CREATE TABLE "public"."job_chunks" (
  "job_id" uuid NOT NULL,
  "chunk_index" integer NOT NULL,
  "next_offset" bigint NOT NULL,
  "next_line" bigint NOT NULL,
  "done" boolean NOT NULL,
  "succeeded" integer NOT NULL,
  "failed" integer NOT NULL,
  "errors" jsonb NOT NULL,
  "recorded_at" timestamp with time zone NOT NULL,
  CONSTRAINT "fk_job_chunks_job_id_jobs" FOREIGN KEY (job_id) REFERENCES jobs(id) ON DELETE CASCADE,
  CONSTRAINT "pk_job_chunks" PRIMARY KEY (job_id, chunk_index)
);
-- Create index "ix_jobs_progress_at_running" to table: "jobs"
CREATE INDEX ix_jobs_progress_at_running ON public.jobs USING btree (progress_at) WHERE (status = 'running'::text);
-- Create index "ix_jobs_tenant_id" to table: "jobs"
CREATE INDEX ix_jobs_tenant_id ON public.jobs USING btree (tenant_id);
-- Comment on table "job_chunks"
COMMENT ON TABLE "public"."job_chunks" IS 'What each chunk of an import did, recorded with the users it created.';
-- Comment on table "jobs"
COMMENT ON TABLE "public"."jobs" IS 'Imports and exports: status, progress and the files of each.';
