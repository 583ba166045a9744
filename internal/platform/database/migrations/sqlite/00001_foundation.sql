-- +goose Up
CREATE TABLE units (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id  INTEGER NULL REFERENCES units (id),
    code       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    path       TEXT    NOT NULL,
    depth      INTEGER NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_units_code ON units (code);
CREATE UNIQUE INDEX uq_units_path ON units (path);
CREATE UNIQUE INDEX uq_units_parent_name ON units (parent_id, name);

CREATE TABLE accounts (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    username             TEXT    NULL,
    phone_enc            TEXT    NULL,
    phone_index          TEXT    NULL,
    display_name         TEXT    NOT NULL,
    password_hash        TEXT    NOT NULL,
    role                 TEXT    NOT NULL,
    unit_id              INTEGER NOT NULL REFERENCES units (id),
    status               TEXT    NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         DATETIME NULL,
    token_version        INTEGER NOT NULL DEFAULT 1,
    last_login_at        DATETIME NULL,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_accounts_username ON accounts (username);
CREATE UNIQUE INDEX uq_accounts_phone_index ON accounts (phone_index);
CREATE INDEX idx_accounts_unit_role ON accounts (unit_id, role);

CREATE TABLE sessions (
    id            TEXT     NOT NULL PRIMARY KEY,
    account_id    INTEGER  NOT NULL REFERENCES accounts (id),
    ip            TEXT     NOT NULL DEFAULT '',
    user_agent    TEXT     NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    last_used_at  DATETIME NOT NULL,
    expires_at    DATETIME NOT NULL,
    revoked_at    DATETIME NULL,
    revoke_reason TEXT     NOT NULL DEFAULT ''
);
CREATE INDEX idx_sessions_account ON sessions (account_id);

CREATE TABLE refresh_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT     NOT NULL REFERENCES sessions (id),
    token_hash TEXT     NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME NULL,
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_refresh_tokens_hash ON refresh_tokens (token_hash);
CREATE INDEX idx_refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE audit_logs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at    DATETIME NOT NULL,
    actor_id      INTEGER  NULL,
    actor_name    TEXT     NOT NULL DEFAULT '',
    actor_role    TEXT     NOT NULL DEFAULT '',
    unit_path     TEXT     NOT NULL DEFAULT '',
    action        TEXT     NOT NULL,
    resource_type TEXT     NOT NULL DEFAULT '',
    resource_id   TEXT     NOT NULL DEFAULT '',
    outcome       TEXT     NOT NULL,
    ip            TEXT     NOT NULL DEFAULT '',
    request_id    TEXT     NOT NULL DEFAULT '',
    detail        TEXT     NULL
);
CREATE INDEX idx_audit_logs_created ON audit_logs (created_at);
CREATE INDEX idx_audit_logs_actor ON audit_logs (actor_id, created_at);
CREATE INDEX idx_audit_logs_action ON audit_logs (action, created_at);
CREATE INDEX idx_audit_logs_resource ON audit_logs (resource_type, resource_id);
CREATE INDEX idx_audit_logs_unit_path ON audit_logs (unit_path);

-- +goose Down
DROP TABLE audit_logs;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE accounts;
DROP TABLE units;
