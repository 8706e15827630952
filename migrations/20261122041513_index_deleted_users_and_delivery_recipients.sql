-- Maintenance: find users deleted before the retention's cut-off, and the delivery records of a purged user
-- Create index "ix_email_deliveries_recipient_user_id" to table: "email_deliveries"
CREATE INDEX ix_email_deliveries_recipient_user_id ON public.email_deliveries USING btree (recipient_user_id) WHERE (to_address IS NOT NULL);
-- Create index "ix_users_deleted_at" to table: "users"
CREATE INDEX ix_users_deleted_at ON public.users USING btree (deleted_at) WHERE (deleted_at IS NOT NULL);
