-- +goose Up
-- The dispatcher's hourly pruning of the delivery log keeps every event a delivery still refers
-- to; this finds a delivery by its event (MySQL made the same index for the foreign key).
CREATE INDEX idx_webhook_deliveries_event ON webhook_deliveries (event_id);

-- +goose Down
DROP INDEX idx_webhook_deliveries_event;
