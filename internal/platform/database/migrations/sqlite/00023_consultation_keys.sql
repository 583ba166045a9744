-- +goose Up
-- A question asked again by a retrying phone (the same Idempotency-Key from the same asker) is
-- the first one, not a second question: the key is kept with it, unique per asker.
ALTER TABLE consultations ADD COLUMN idempotency_key TEXT NULL;
CREATE UNIQUE INDEX uq_consultations_asker_key ON consultations (asker_id, idempotency_key);

-- +goose Down
DROP INDEX uq_consultations_asker_key;
ALTER TABLE consultations DROP COLUMN idempotency_key;
