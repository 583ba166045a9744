-- +goose Up
CREATE TABLE learners (
    id            BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id    BIGINT       NOT NULL,
    unit_id       BIGINT       NOT NULL,
    name          VARCHAR(32)  NOT NULL,
    track         VARCHAR(16)  NOT NULL,
    position      VARCHAR(64)  NOT NULL DEFAULT '',
    id_card_enc   VARCHAR(255) NULL,
    id_card_index CHAR(64)     NULL,
    status        VARCHAR(16)  NOT NULL,
    left_at       DATETIME(6)  NULL,
    created_at    DATETIME(6)  NOT NULL,
    updated_at    DATETIME(6)  NOT NULL,
    UNIQUE KEY uq_learners_account (account_id),
    UNIQUE KEY uq_learners_id_card_index (id_card_index),
    KEY idx_learners_unit_status (unit_id, status),
    KEY idx_learners_name (name),
    CONSTRAINT fk_learners_account FOREIGN KEY (account_id) REFERENCES accounts (id),
    CONSTRAINT fk_learners_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE campaigns (
    id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    unit_id         BIGINT       NOT NULL,
    name            VARCHAR(100) NOT NULL,
    theme           VARCHAR(255) NOT NULL DEFAULT '',
    start_date      CHAR(10)     NOT NULL,
    end_date        CHAR(10)     NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    target_leader   BIGINT       NOT NULL DEFAULT 0,
    target_general  BIGINT       NOT NULL DEFAULT 0,
    target_judicial BIGINT       NOT NULL DEFAULT 0,
    rules           TEXT         NOT NULL,
    contacts        TEXT         NOT NULL,
    created_at      DATETIME(6)  NOT NULL,
    updated_at      DATETIME(6)  NOT NULL,
    KEY idx_campaigns_unit_status (unit_id, status),
    CONSTRAINT fk_campaigns_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE credit_ledger (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    learner_id  BIGINT       NOT NULL,
    campaign_id BIGINT       NOT NULL,
    source      VARCHAR(16)  NOT NULL,
    source_id   VARCHAR(64)  NOT NULL,
    amount      BIGINT       NOT NULL,
    requested   BIGINT       NOT NULL,
    reason      VARCHAR(255) NOT NULL DEFAULT '',
    day         CHAR(10)     NOT NULL,
    actor_id    BIGINT       NULL,
    created_at  DATETIME(6)  NOT NULL,
    UNIQUE KEY uq_credit_ledger_source (learner_id, campaign_id, source, source_id),
    KEY idx_credit_ledger_learner_time (learner_id, campaign_id, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE credit_daily (
    learner_id  BIGINT      NOT NULL,
    campaign_id BIGINT      NOT NULL,
    source      VARCHAR(16) NOT NULL,
    day         CHAR(10)    NOT NULL,
    amount      BIGINT      NOT NULL DEFAULT 0,
    PRIMARY KEY (learner_id, campaign_id, source, day)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE credit_summaries (
    learner_id       BIGINT      NOT NULL,
    campaign_id      BIGINT      NOT NULL,
    unit_id          BIGINT      NOT NULL,
    track            VARCHAR(16) NOT NULL,
    total            BIGINT      NOT NULL DEFAULT 0,
    study            BIGINT      NOT NULL DEFAULT 0,
    practice         BIGINT      NOT NULL DEFAULT 0,
    exam             BIGINT      NOT NULL DEFAULT 0,
    event            BIGINT      NOT NULL DEFAULT 0,
    quiz             BIGINT      NOT NULL DEFAULT 0,
    adjustment       BIGINT      NOT NULL DEFAULT 0,
    last_activity_at DATETIME(6) NULL,
    updated_at       DATETIME(6) NOT NULL,
    PRIMARY KEY (learner_id, campaign_id),
    KEY idx_credit_summaries_rank (campaign_id, total),
    KEY idx_credit_summaries_unit_rank (campaign_id, unit_id, total)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE courses (
    id               BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    campaign_id      BIGINT        NOT NULL,
    title            VARCHAR(200)  NOT NULL,
    kind             VARCHAR(16)   NOT NULL,
    url              VARCHAR(1000) NOT NULL DEFAULT '',
    body             TEXT          NULL,
    duration_seconds INT           NOT NULL,
    tracks           VARCHAR(64)   NOT NULL,
    credit           BIGINT        NOT NULL DEFAULT 0,
    sort_order       INT           NOT NULL DEFAULT 0,
    status           VARCHAR(16)   NOT NULL,
    created_at       DATETIME(6)   NOT NULL,
    updated_at       DATETIME(6)   NOT NULL,
    KEY idx_courses_campaign (campaign_id, status, sort_order),
    CONSTRAINT fk_courses_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE course_progress (
    learner_id       BIGINT      NOT NULL,
    course_id        BIGINT      NOT NULL,
    position_seconds INT         NOT NULL DEFAULT 0,
    verified_seconds INT         NOT NULL DEFAULT 0,
    completed_at     DATETIME(6) NULL,
    updated_at       DATETIME(6) NOT NULL,
    PRIMARY KEY (learner_id, course_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE study_sessions (
    id                BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    learner_id        BIGINT      NOT NULL,
    course_id         BIGINT      NOT NULL,
    active_learner_id BIGINT      NULL,
    started_at        DATETIME(6) NOT NULL,
    last_beat_at      DATETIME(6) NOT NULL,
    position_seconds  INT         NOT NULL DEFAULT 0,
    verified_seconds  INT         NOT NULL DEFAULT 0,
    beats             INT         NOT NULL DEFAULT 0,
    ended_at          DATETIME(6) NULL,
    UNIQUE KEY uq_study_sessions_active (active_learner_id),
    KEY idx_study_sessions_learner (learner_id, course_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE study_sessions;
DROP TABLE course_progress;
DROP TABLE courses;
DROP TABLE credit_summaries;
DROP TABLE credit_daily;
DROP TABLE credit_ledger;
DROP TABLE campaigns;
DROP TABLE learners;
