-- +goose Up
CREATE TABLE units (
    id         BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    parent_id  BIGINT       NULL,
    code       VARCHAR(64)  NOT NULL,
    name       VARCHAR(100) NOT NULL,
    kind       VARCHAR(16)  NOT NULL,
    path       VARCHAR(255) NOT NULL,
    depth      INT          NOT NULL,
    created_at DATETIME(6)  NOT NULL,
    updated_at DATETIME(6)  NOT NULL,
    UNIQUE KEY uq_units_code (code),
    UNIQUE KEY uq_units_path (path),
    UNIQUE KEY uq_units_parent_name (parent_id, name),
    CONSTRAINT fk_units_parent FOREIGN KEY (parent_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE accounts (
    id                   BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    username             VARCHAR(64)  NULL,
    phone_enc            VARCHAR(255) NULL,
    phone_index          CHAR(64)     NULL,
    display_name         VARCHAR(64)  NOT NULL,
    password_hash        VARCHAR(255) NOT NULL,
    role                 VARCHAR(16)  NOT NULL,
    unit_id              BIGINT       NOT NULL,
    status               VARCHAR(16)  NOT NULL,
    must_change_password BOOLEAN      NOT NULL DEFAULT FALSE,
    failed_logins        INT          NOT NULL DEFAULT 0,
    locked_until         DATETIME(6)  NULL,
    token_version        BIGINT       NOT NULL DEFAULT 1,
    last_login_at        DATETIME(6)  NULL,
    created_at           DATETIME(6)  NOT NULL,
    updated_at           DATETIME(6)  NOT NULL,
    UNIQUE KEY uq_accounts_username (username),
    UNIQUE KEY uq_accounts_phone_index (phone_index),
    KEY idx_accounts_unit_role (unit_id, role),
    CONSTRAINT fk_accounts_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE sessions (
    id            CHAR(36)     NOT NULL PRIMARY KEY,
    account_id    BIGINT       NOT NULL,
    ip            VARCHAR(64)  NOT NULL DEFAULT '',
    user_agent    VARCHAR(255) NOT NULL DEFAULT '',
    created_at    DATETIME(6)  NOT NULL,
    last_used_at  DATETIME(6)  NOT NULL,
    expires_at    DATETIME(6)  NOT NULL,
    revoked_at    DATETIME(6)  NULL,
    revoke_reason VARCHAR(32)  NOT NULL DEFAULT '',
    KEY idx_sessions_account (account_id),
    CONSTRAINT fk_sessions_account FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE refresh_tokens (
    id         BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    session_id CHAR(36)    NOT NULL,
    token_hash CHAR(64)    NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    used_at    DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    UNIQUE KEY uq_refresh_tokens_hash (token_hash),
    KEY idx_refresh_tokens_session (session_id),
    CONSTRAINT fk_refresh_tokens_session FOREIGN KEY (session_id) REFERENCES sessions (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE audit_logs (
    id            BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    created_at    DATETIME(6)  NOT NULL,
    actor_id      BIGINT       NULL,
    actor_name    VARCHAR(64)  NOT NULL DEFAULT '',
    actor_role    VARCHAR(16)  NOT NULL DEFAULT '',
    unit_path     VARCHAR(255) NOT NULL DEFAULT '',
    action        VARCHAR(64)  NOT NULL,
    resource_type VARCHAR(32)  NOT NULL DEFAULT '',
    resource_id   VARCHAR(64)  NOT NULL DEFAULT '',
    outcome       VARCHAR(16)  NOT NULL,
    ip            VARCHAR(64)  NOT NULL DEFAULT '',
    request_id    VARCHAR(64)  NOT NULL DEFAULT '',
    detail        TEXT         NULL,
    KEY idx_audit_logs_created (created_at),
    KEY idx_audit_logs_actor (actor_id, created_at),
    KEY idx_audit_logs_action (action, created_at),
    KEY idx_audit_logs_resource (resource_type, resource_id),
    KEY idx_audit_logs_unit_path (unit_path)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE audit_logs;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE accounts;
DROP TABLE units;
