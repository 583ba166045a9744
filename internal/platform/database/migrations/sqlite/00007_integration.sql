-- +goose Up
ALTER TABLE learners ADD COLUMN external_id TEXT NULL;
CREATE UNIQUE INDEX uq_learners_external_id ON learners (external_id);

CREATE TABLE integration_clients (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    client_key             TEXT     NOT NULL,
    name                   TEXT     NOT NULL,
    unit_id                INTEGER  NOT NULL REFERENCES units (id),
    scopes                 TEXT     NOT NULL,
    status                 TEXT     NOT NULL,
    secret_hash            TEXT     NOT NULL,
    prev_secret_hash       TEXT     NULL,
    prev_secret_expires_at DATETIME NULL,
    created_by             INTEGER  NULL,
    last_token_at          DATETIME NULL,
    created_at             DATETIME NOT NULL,
    updated_at             DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_integration_clients_key ON integration_clients (client_key);
CREATE INDEX idx_integration_clients_unit ON integration_clients (unit_id);

CREATE TABLE webhooks (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id            INTEGER  NULL REFERENCES integration_clients (id),
    unit_id              INTEGER  NOT NULL REFERENCES units (id),
    url                  TEXT     NOT NULL,
    events               TEXT     NOT NULL,
    description          TEXT     NOT NULL DEFAULT '',
    secret_enc           TEXT     NOT NULL,
    status               TEXT     NOT NULL,
    consecutive_failures INTEGER  NOT NULL DEFAULT 0,
    disabled_reason      TEXT     NOT NULL DEFAULT '',
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL
);
CREATE INDEX idx_webhooks_client ON webhooks (client_id);
CREATE INDEX idx_webhooks_status ON webhooks (status);

CREATE TABLE webhook_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    uid           TEXT     NOT NULL,
    type          TEXT     NOT NULL,
    unit_path     TEXT     NOT NULL,
    data          TEXT     NOT NULL,
    created_at    DATETIME NOT NULL,
    fanned_out_at DATETIME NULL
);
CREATE UNIQUE INDEX uq_webhook_events_uid ON webhook_events (uid);
CREATE INDEX idx_webhook_events_pending ON webhook_events (fanned_out_at, id);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id      INTEGER  NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        INTEGER  NOT NULL REFERENCES webhook_events (id),
    event_uid       TEXT     NOT NULL,
    event_type      TEXT     NOT NULL,
    status          TEXT     NOT NULL,
    attempts        INTEGER  NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    last_attempt_at DATETIME NULL,
    response_status INTEGER  NULL,
    last_error      TEXT     NOT NULL DEFAULT '',
    redelivery_of   INTEGER  NULL,
    created_at      DATETIME NOT NULL,
    delivered_at    DATETIME NULL
);
CREATE INDEX idx_webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX idx_webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_events;
DROP TABLE webhooks;
DROP TABLE integration_clients;
DROP INDEX uq_learners_external_id;
ALTER TABLE learners DROP COLUMN external_id;
