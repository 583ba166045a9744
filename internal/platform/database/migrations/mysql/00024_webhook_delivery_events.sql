-- +goose Up
-- The dispatcher's hourly pruning of the delivery log keeps every event a delivery still refers
-- to, and finds a delivery by its event through the index InnoDB made for the foreign key
-- fk_webhook_deliveries_event (00007). SQLite makes no such index; its 00024 adds one. Nothing to
-- do here: this version keeps the two dialects' numbering in step.
SELECT 1;

-- +goose Down
SELECT 1;
