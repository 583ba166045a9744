-- +goose Up
CREATE TABLE law_reports (
    id           BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    campaign_id  BIGINT        NOT NULL,
    learner_id   BIGINT        NOT NULL,
    unit_id      BIGINT        NOT NULL,
    title        VARCHAR(200)  NOT NULL,
    body         MEDIUMTEXT    NOT NULL,
    attachments  TEXT          NOT NULL,
    status       VARCHAR(16)   NOT NULL,
    score        INT           NULL,
    revision     INT           NOT NULL DEFAULT 1,
    submitted_by BIGINT        NOT NULL,
    submitted_at DATETIME(6)   NOT NULL,
    reviewed_by  BIGINT        NULL,
    reviewed_at  DATETIME(6)   NULL,
    created_at   DATETIME(6)   NOT NULL,
    updated_at   DATETIME(6)   NOT NULL,
    UNIQUE KEY uq_law_reports_campaign_learner (campaign_id, learner_id),
    KEY idx_law_reports_unit_status (unit_id, status),
    KEY idx_law_reports_learner (learner_id),
    CONSTRAINT fk_law_reports_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id),
    CONSTRAINT fk_law_reports_learner FOREIGN KEY (learner_id) REFERENCES learners (id),
    CONSTRAINT fk_law_reports_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE law_report_reviews (
    id         BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    report_id  BIGINT        NOT NULL,
    action     VARCHAR(16)   NOT NULL,
    actor_id   BIGINT        NULL,
    actor_name VARCHAR(64)   NOT NULL DEFAULT '',
    actor_role VARCHAR(16)   NOT NULL DEFAULT '',
    comment    TEXT          NOT NULL,
    score      INT           NULL,
    created_at DATETIME(6)   NOT NULL,
    KEY idx_law_report_reviews_report (report_id, id),
    CONSTRAINT fk_law_report_reviews_report FOREIGN KEY (report_id) REFERENCES law_reports (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE consultations (
    id               BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    campaign_id      BIGINT        NOT NULL,
    asker_id         BIGINT        NOT NULL,
    asker_name       VARCHAR(64)   NOT NULL DEFAULT '',
    asker_role       VARCHAR(16)   NOT NULL,
    question         TEXT          NOT NULL,
    status           VARCHAR(16)   NOT NULL,
    answer           TEXT          NULL,
    answered_by      BIGINT        NULL,
    answered_by_name VARCHAR(64)   NOT NULL DEFAULT '',
    answered_at      DATETIME(6)   NULL,
    created_at       DATETIME(6)   NOT NULL,
    updated_at       DATETIME(6)   NOT NULL,
    KEY idx_consultations_campaign_status (campaign_id, status),
    KEY idx_consultations_asker (asker_id),
    CONSTRAINT fk_consultations_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id),
    CONSTRAINT fk_consultations_asker FOREIGN KEY (asker_id) REFERENCES accounts (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE consultations;
DROP TABLE law_report_reviews;
DROP TABLE law_reports;
