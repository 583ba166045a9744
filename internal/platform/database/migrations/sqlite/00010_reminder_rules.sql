-- +goose Up
CREATE TABLE reminder_rules (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id       INTEGER  NOT NULL,
    unit_id           INTEGER  NOT NULL,
    kind              TEXT     NOT NULL,
    lag_status        TEXT     NOT NULL DEFAULT 'lagging',
    send_at           TEXT     NOT NULL,
    channels          TEXT     NOT NULL,
    quiet_start       TEXT     NOT NULL DEFAULT '',
    quiet_end         TEXT     NOT NULL DEFAULT '',
    min_interval_days INTEGER  NOT NULL DEFAULT 3,
    escalate_after    INTEGER  NOT NULL DEFAULT 0,
    message           TEXT     NOT NULL DEFAULT '',
    enabled           BOOLEAN  NOT NULL DEFAULT TRUE,
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL
);
CREATE INDEX idx_reminder_rules_unit ON reminder_rules (unit_id);

-- One row per run of a scheduled job: the replica that inserts it runs the job.
CREATE TABLE job_runs (
    job         TEXT     NOT NULL,
    run_key     TEXT     NOT NULL,
    started_at  DATETIME NOT NULL,
    PRIMARY KEY (job, run_key)
);

-- +goose Down
DROP TABLE job_runs;
DROP TABLE reminder_rules;
