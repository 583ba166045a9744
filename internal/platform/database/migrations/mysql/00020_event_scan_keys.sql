-- +goose Up
-- A scan's Idempotency-Key stays on the attendance it checked in or out, with the credits the
-- ledger gave (at credited_at), so a retried scan from a flaky phone network gets its first
-- answer back from any replica instead of 409 checkin.duplicate / checkin.already_checked_out.
ALTER TABLE event_attendance
    ADD COLUMN credits_awarded BIGINT       NOT NULL DEFAULT 0,
    ADD COLUMN checkin_key     VARCHAR(100) NULL,
    ADD COLUMN checkout_key    VARCHAR(100) NULL;

-- +goose Down
ALTER TABLE event_attendance
    DROP COLUMN checkout_key,
    DROP COLUMN checkin_key,
    DROP COLUMN credits_awarded;
