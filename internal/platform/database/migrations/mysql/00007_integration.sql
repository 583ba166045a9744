-- +goose Up
ALTER TABLE learners ADD COLUMN external_id VARCHAR(64) NULL;
CREATE UNIQUE INDEX uq_learners_external_id ON learners (external_id);

CREATE TABLE integration_clients (
    id                     BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    client_key             VARCHAR(40)  NOT NULL,
    name                   VARCHAR(100) NOT NULL,
    unit_id                BIGINT       NOT NULL,
    scopes                 VARCHAR(255) NOT NULL,
    status                 VARCHAR(16)  NOT NULL,
    secret_hash            CHAR(64)     NOT NULL,
    prev_secret_hash       CHAR(64)     NULL,
    prev_secret_expires_at DATETIME(6)  NULL,
    created_by             BIGINT       NULL,
    last_token_at          DATETIME(6)  NULL,
    created_at             DATETIME(6)  NOT NULL,
    updated_at             DATETIME(6)  NOT NULL,
    UNIQUE KEY uq_integration_clients_key (client_key),
    KEY idx_integration_clients_unit (unit_id),
    CONSTRAINT fk_integration_clients_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE webhooks (
    id                   BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    client_id            BIGINT        NULL,
    unit_id              BIGINT        NOT NULL,
    url                  VARCHAR(1000) NOT NULL,
    events               VARCHAR(255)  NOT NULL,
    description          VARCHAR(200)  NOT NULL DEFAULT '',
    secret_enc           VARCHAR(255)  NOT NULL,
    status               VARCHAR(16)   NOT NULL,
    consecutive_failures INT           NOT NULL DEFAULT 0,
    disabled_reason      VARCHAR(64)   NOT NULL DEFAULT '',
    created_at           DATETIME(6)   NOT NULL,
    updated_at           DATETIME(6)   NOT NULL,
    KEY idx_webhooks_client (client_id),
    KEY idx_webhooks_status (status),
    CONSTRAINT fk_webhooks_client FOREIGN KEY (client_id) REFERENCES integration_clients (id),
    CONSTRAINT fk_webhooks_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE webhook_events (
    id            BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    uid           CHAR(36)     NOT NULL,
    type          VARCHAR(48)  NOT NULL,
    unit_path     VARCHAR(255) NOT NULL,
    data          TEXT         NOT NULL,
    created_at    DATETIME(6)  NOT NULL,
    fanned_out_at DATETIME(6)  NULL,
    UNIQUE KEY uq_webhook_events_uid (uid),
    KEY idx_webhook_events_pending (fanned_out_at, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE webhook_deliveries (
    id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    webhook_id      BIGINT       NOT NULL,
    event_id        BIGINT       NOT NULL,
    event_uid       CHAR(36)     NOT NULL,
    event_type      VARCHAR(48)  NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    attempts        INT          NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(6)  NOT NULL,
    last_attempt_at DATETIME(6)  NULL,
    response_status INT          NULL,
    last_error      VARCHAR(255) NOT NULL DEFAULT '',
    redelivery_of   BIGINT       NULL,
    created_at      DATETIME(6)  NOT NULL,
    delivered_at    DATETIME(6)  NULL,
    KEY idx_webhook_deliveries_due (status, next_attempt_at),
    KEY idx_webhook_deliveries_webhook (webhook_id, id),
    CONSTRAINT fk_webhook_deliveries_webhook FOREIGN KEY (webhook_id) REFERENCES webhooks (id) ON DELETE CASCADE,
    CONSTRAINT fk_webhook_deliveries_event FOREIGN KEY (event_id) REFERENCES webhook_events (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_events;
DROP TABLE webhooks;
DROP TABLE integration_clients;
DROP INDEX uq_learners_external_id ON learners;
ALTER TABLE learners DROP COLUMN external_id;
