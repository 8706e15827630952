-- Let the outbox hold the start message of a user export
ALTER TABLE "public"."outbox" DROP CONSTRAINT "ck_outbox_kind_known";
ALTER TABLE "public"."outbox" ADD CONSTRAINT "ck_outbox_kind_known" CHECK (kind IN ('send_email', 'start_import', 'start_export'));
