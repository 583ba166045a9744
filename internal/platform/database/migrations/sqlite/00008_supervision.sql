-- +goose Up
-- What each unit's learners earned per Asia/Shanghai day in a campaign: the dashboards' daily
-- series read this instead of the ledger.
CREATE TABLE credit_unit_daily (
    campaign_id INTEGER NOT NULL,
    unit_id     INTEGER NOT NULL,
    day         TEXT    NOT NULL,
    amount      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, unit_id, day)
);

-- +goose Down
DROP TABLE credit_unit_daily;
