-- +goose Up
-- A question asked again by a retrying phone (the same Idempotency-Key from the same asker) is
-- the first one, not a second question: the key is kept with it, unique per asker.
ALTER TABLE consultations
    ADD COLUMN idempotency_key VARCHAR(100) NULL,
    ADD UNIQUE KEY uq_consultations_asker_key (asker_id, idempotency_key);

-- +goose Down
ALTER TABLE consultations
    DROP INDEX uq_consultations_asker_key,
    DROP COLUMN idempotency_key;
