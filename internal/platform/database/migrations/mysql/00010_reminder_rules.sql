-- +goose Up
CREATE TABLE reminder_rules (
    id                BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    campaign_id       BIGINT       NOT NULL,
    unit_id           BIGINT       NOT NULL,
    kind              VARCHAR(32)  NOT NULL,
    lag_status        VARCHAR(16)  NOT NULL DEFAULT 'lagging',
    send_at           CHAR(5)      NOT NULL,
    channels          VARCHAR(64)  NOT NULL,
    quiet_start       CHAR(5)      NOT NULL DEFAULT '',
    quiet_end         CHAR(5)      NOT NULL DEFAULT '',
    min_interval_days INT          NOT NULL DEFAULT 3,
    escalate_after    INT          NOT NULL DEFAULT 0,
    message           VARCHAR(300) NOT NULL DEFAULT '',
    enabled           BOOLEAN      NOT NULL DEFAULT TRUE,
    created_at        DATETIME(6)  NOT NULL,
    updated_at        DATETIME(6)  NOT NULL,
    KEY idx_reminder_rules_unit (unit_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per run of a scheduled job: the replica that inserts it runs the job.
CREATE TABLE job_runs (
    job         VARCHAR(100) NOT NULL,
    run_key     VARCHAR(32)  NOT NULL,
    started_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (job, run_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE job_runs;
DROP TABLE reminder_rules;
