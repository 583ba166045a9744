-- +goose Up
-- A scan's Idempotency-Key stays on the attendance it checked in or out, with the credits the
-- ledger gave (at credited_at), so a retried scan from a flaky phone network gets its first
-- answer back from any replica instead of 409 checkin.duplicate / checkin.already_checked_out.
ALTER TABLE event_attendance ADD COLUMN credits_awarded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE event_attendance ADD COLUMN checkin_key TEXT NULL;
ALTER TABLE event_attendance ADD COLUMN checkout_key TEXT NULL;

-- +goose Down
ALTER TABLE event_attendance DROP COLUMN checkout_key;
ALTER TABLE event_attendance DROP COLUMN checkin_key;
ALTER TABLE event_attendance DROP COLUMN credits_awarded;
