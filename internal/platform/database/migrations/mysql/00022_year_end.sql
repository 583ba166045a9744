-- +goose Up
-- Closing the year (issue 24). A campaign's formula for the 年度成绩; learners exempted from
-- its exam (免考, with a lower credit target); each close-out (numbered, so a reopened and
-- re-closed campaign keeps its earlier snapshot); the frozen per-learner results of each close,
-- which across campaigns are the learner's 学法档案; and the signed certificates issued to
-- those who met the target.
CREATE TABLE campaign_formulas (
    campaign_id           BIGINT      NOT NULL,
    exam_weight           INT         NOT NULL,
    exam_id               BIGINT      NULL,
    pass_score            BIGINT      NOT NULL,
    exempt_target_percent INT         NOT NULL,
    updated_by            BIGINT      NULL,
    updated_at            DATETIME(6) NOT NULL,
    PRIMARY KEY (campaign_id),
    CONSTRAINT fk_campaign_formulas_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id),
    CONSTRAINT fk_campaign_formulas_exam FOREIGN KEY (exam_id) REFERENCES exams (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE campaign_exemptions (
    campaign_id BIGINT       NOT NULL,
    learner_id  BIGINT       NOT NULL,
    reason      VARCHAR(200) NOT NULL,
    created_by  BIGINT       NULL,
    created_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (campaign_id, learner_id),
    KEY idx_campaign_exemptions_learner (learner_id),
    CONSTRAINT fk_campaign_exemptions_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id),
    CONSTRAINT fk_campaign_exemptions_learner FOREIGN KEY (learner_id) REFERENCES learners (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE campaign_closes (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    campaign_id     BIGINT       NOT NULL,
    close_no        INT          NOT NULL,
    state           VARCHAR(16)  NOT NULL,
    next_learner_id BIGINT       NOT NULL,
    learners        INT          NOT NULL,
    formula         TEXT         NOT NULL,
    started_by      BIGINT       NULL,
    started_at      DATETIME(6)  NOT NULL,
    finished_at     DATETIME(6)  NULL,
    reopened_by     BIGINT       NULL,
    reopened_at     DATETIME(6)  NULL,
    reopen_reason   VARCHAR(500) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_campaign_closes_no (campaign_id, close_no),
    CONSTRAINT fk_campaign_closes_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE year_results (
    campaign_id     BIGINT       NOT NULL,
    close_no        INT          NOT NULL,
    learner_id      BIGINT       NOT NULL,
    unit_id         BIGINT       NOT NULL,
    unit_path       VARCHAR(255) NOT NULL,
    learner_name    VARCHAR(100) NOT NULL,
    track           VARCHAR(16)  NOT NULL,
    exempt          BOOLEAN      NOT NULL,
    target          BIGINT       NOT NULL,
    credits         BIGINT       NOT NULL,
    study           BIGINT       NOT NULL,
    practice        BIGINT       NOT NULL,
    exam_credits    BIGINT       NOT NULL,
    event_credits   BIGINT       NOT NULL,
    quiz            BIGINT       NOT NULL,
    adjustment      BIGINT       NOT NULL,
    events_attended INT          NOT NULL,
    law_reports     INT          NOT NULL,
    exam_id         BIGINT       NULL,
    exam_score      DOUBLE       NULL,
    exam_max_score  DOUBLE       NULL,
    exam_passed     BOOLEAN      NULL,
    score           BIGINT       NOT NULL,
    met             BOOLEAN      NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    created_at      DATETIME(6)  NOT NULL,
    PRIMARY KEY (campaign_id, close_no, learner_id),
    KEY idx_year_results_unit (campaign_id, close_no, unit_path),
    KEY idx_year_results_learner (learner_id, campaign_id),
    CONSTRAINT fk_year_results_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE certificates (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    code          VARCHAR(32)  NOT NULL,
    campaign_id   BIGINT       NOT NULL,
    close_no      INT          NOT NULL,
    learner_id    BIGINT       NOT NULL,
    key_id        VARCHAR(64)  NOT NULL,
    payload       TEXT         NOT NULL,
    signature     VARCHAR(128) NOT NULL,
    issued_at     DATETIME(6)  NOT NULL,
    revoked_at    DATETIME(6)  NULL,
    revoked_by    BIGINT       NULL,
    revoke_reason VARCHAR(500) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_certificates_code (code),
    UNIQUE KEY uq_certificates_learner (campaign_id, close_no, learner_id),
    KEY idx_certificates_learner (learner_id),
    CONSTRAINT fk_certificates_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE certificates;
DROP TABLE year_results;
DROP TABLE campaign_closes;
DROP TABLE campaign_exemptions;
DROP TABLE campaign_formulas;
