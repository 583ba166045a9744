-- +goose Up
-- Optimistic concurrency (ETag / If-Match): each row of what admins edit counts its revisions.
-- Every write of the resource's own state moves it on; the entity tag is (id, row_version).
ALTER TABLE units          ADD COLUMN row_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE accounts       ADD COLUMN row_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE learners       ADD COLUMN row_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE campaigns      ADD COLUMN row_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE questions      ADD COLUMN row_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE exams          ADD COLUMN row_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE events         ADD COLUMN row_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE reminder_rules ADD COLUMN row_version BIGINT NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE reminder_rules DROP COLUMN row_version;
ALTER TABLE events         DROP COLUMN row_version;
ALTER TABLE exams          DROP COLUMN row_version;
ALTER TABLE questions      DROP COLUMN row_version;
ALTER TABLE campaigns      DROP COLUMN row_version;
ALTER TABLE learners       DROP COLUMN row_version;
ALTER TABLE accounts       DROP COLUMN row_version;
ALTER TABLE units          DROP COLUMN row_version;
