-- +goose Up
-- What each unit's learners earned per Asia/Shanghai day in a campaign: the dashboards' daily
-- series read this instead of the ledger.
CREATE TABLE credit_unit_daily (
    campaign_id BIGINT   NOT NULL,
    unit_id     BIGINT   NOT NULL,
    day         CHAR(10) NOT NULL,
    amount      BIGINT   NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, unit_id, day)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE credit_unit_daily;
