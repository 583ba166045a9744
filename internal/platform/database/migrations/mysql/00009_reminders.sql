-- +goose Up
CREATE TABLE reminders (
    id          BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    learner_id  BIGINT        NOT NULL,
    account_id  BIGINT        NOT NULL,
    campaign_id BIGINT        NOT NULL,
    rule_id     BIGINT        NULL,
    message     VARCHAR(500)  NOT NULL,
    credits_at  BIGINT        NOT NULL DEFAULT 0,
    lag_at      BIGINT        NOT NULL DEFAULT 0,
    created_by  BIGINT        NULL,
    created_at  DATETIME(6)   NOT NULL,
    KEY idx_reminders_learner (learner_id, campaign_id, created_at),
    KEY idx_reminders_campaign (campaign_id, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE reminder_deliveries (
    id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    reminder_id     BIGINT       NOT NULL,
    channel         VARCHAR(16)  NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    attempts        INT          NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(6)  NOT NULL,
    claimed_until   DATETIME(6)  NULL,
    last_error      VARCHAR(500) NOT NULL DEFAULT '',
    sent_at         DATETIME(6)  NULL,
    created_at      DATETIME(6)  NOT NULL,
    UNIQUE KEY uq_reminder_deliveries (reminder_id, channel),
    KEY idx_reminder_deliveries_due (status, next_attempt_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE messages (
    id          BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id  BIGINT        NOT NULL,
    delivery_id BIGINT        NULL,
    title       VARCHAR(100)  NOT NULL,
    body        VARCHAR(1000) NOT NULL,
    read_at     DATETIME(6)   NULL,
    created_at  DATETIME(6)   NOT NULL,
    UNIQUE KEY uq_messages_delivery (delivery_id),
    KEY idx_messages_account (account_id, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE messages;
DROP TABLE reminder_deliveries;
DROP TABLE reminders;
