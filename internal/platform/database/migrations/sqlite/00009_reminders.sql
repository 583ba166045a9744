-- +goose Up
CREATE TABLE reminders (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    learner_id  INTEGER  NOT NULL,
    account_id  INTEGER  NOT NULL,
    campaign_id INTEGER  NOT NULL,
    rule_id     INTEGER  NULL,
    message     TEXT     NOT NULL,
    credits_at  INTEGER  NOT NULL DEFAULT 0,
    lag_at      INTEGER  NOT NULL DEFAULT 0,
    created_by  INTEGER  NULL,
    created_at  DATETIME NOT NULL
);
CREATE INDEX idx_reminders_learner ON reminders (learner_id, campaign_id, created_at);
CREATE INDEX idx_reminders_campaign ON reminders (campaign_id, created_at);

CREATE TABLE reminder_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    reminder_id     INTEGER  NOT NULL,
    channel         TEXT     NOT NULL,
    status          TEXT     NOT NULL,
    attempts        INTEGER  NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    claimed_until   DATETIME NULL,
    last_error      TEXT     NOT NULL DEFAULT '',
    sent_at         DATETIME NULL,
    created_at      DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_reminder_deliveries ON reminder_deliveries (reminder_id, channel);
CREATE INDEX idx_reminder_deliveries_due ON reminder_deliveries (status, next_attempt_at);

CREATE TABLE messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER  NOT NULL,
    delivery_id INTEGER  NULL,
    title       TEXT     NOT NULL,
    body        TEXT     NOT NULL,
    read_at     DATETIME NULL,
    created_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_messages_delivery ON messages (delivery_id);
CREATE INDEX idx_messages_account ON messages (account_id, created_at);

-- +goose Down
DROP TABLE messages;
DROP TABLE reminder_deliveries;
DROP TABLE reminders;
