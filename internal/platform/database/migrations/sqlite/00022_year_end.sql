-- +goose Up
-- Closing the year (issue 24). A campaign's formula for the 年度成绩; learners exempted from
-- its exam (免考, with a lower credit target); each close-out (numbered, so a reopened and
-- re-closed campaign keeps its earlier snapshot); the frozen per-learner results of each close,
-- which across campaigns are the learner's 学法档案; and the signed certificates issued to
-- those who met the target.
CREATE TABLE campaign_formulas (
    campaign_id           INTEGER      NOT NULL,
    exam_weight           INTEGER      NOT NULL,
    exam_id               INTEGER      NULL,
    pass_score            INTEGER      NOT NULL,
    exempt_target_percent INTEGER      NOT NULL,
    updated_by            INTEGER      NULL,
    updated_at            DATETIME    NOT NULL,
    PRIMARY KEY (campaign_id),
    FOREIGN KEY (campaign_id) REFERENCES campaigns (id),
    FOREIGN KEY (exam_id) REFERENCES exams (id)
);

CREATE TABLE campaign_exemptions (
    campaign_id INTEGER      NOT NULL,
    learner_id  INTEGER      NOT NULL,
    reason      VARCHAR(200) NOT NULL,
    created_by  INTEGER      NULL,
    created_at  DATETIME     NOT NULL,
    PRIMARY KEY (campaign_id, learner_id),
    FOREIGN KEY (campaign_id) REFERENCES campaigns (id),
    FOREIGN KEY (learner_id) REFERENCES learners (id)
);
CREATE INDEX idx_campaign_exemptions_learner ON campaign_exemptions (learner_id);

CREATE TABLE campaign_closes (
    id              INTEGER      PRIMARY KEY AUTOINCREMENT,
    campaign_id     INTEGER      NOT NULL,
    close_no        INTEGER      NOT NULL,
    state           VARCHAR(16)  NOT NULL,
    next_learner_id INTEGER      NOT NULL,
    learners        INTEGER      NOT NULL,
    formula         TEXT         NOT NULL,
    started_by      INTEGER      NULL,
    started_at      DATETIME     NOT NULL,
    finished_at     DATETIME     NULL,
    reopened_by     INTEGER      NULL,
    reopened_at     DATETIME     NULL,
    reopen_reason   VARCHAR(500) NULL,
    UNIQUE (campaign_id, close_no),
    FOREIGN KEY (campaign_id) REFERENCES campaigns (id)
);

CREATE TABLE year_results (
    campaign_id     INTEGER      NOT NULL,
    close_no        INTEGER      NOT NULL,
    learner_id      INTEGER      NOT NULL,
    unit_id         INTEGER      NOT NULL,
    unit_path       VARCHAR(255) NOT NULL,
    learner_name    VARCHAR(100) NOT NULL,
    track           VARCHAR(16)  NOT NULL,
    exempt          BOOLEAN      NOT NULL,
    target          INTEGER      NOT NULL,
    credits         INTEGER      NOT NULL,
    study           INTEGER      NOT NULL,
    practice        INTEGER      NOT NULL,
    exam_credits    INTEGER      NOT NULL,
    event_credits   INTEGER      NOT NULL,
    quiz            INTEGER      NOT NULL,
    adjustment      INTEGER      NOT NULL,
    events_attended INTEGER      NOT NULL,
    law_reports     INTEGER      NOT NULL,
    exam_id         INTEGER      NULL,
    exam_score      REAL         NULL,
    exam_max_score  REAL         NULL,
    exam_passed     BOOLEAN      NULL,
    score           INTEGER      NOT NULL,
    met             BOOLEAN      NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    created_at      DATETIME     NOT NULL,
    PRIMARY KEY (campaign_id, close_no, learner_id),
    FOREIGN KEY (campaign_id) REFERENCES campaigns (id)
);
CREATE INDEX idx_year_results_unit ON year_results (campaign_id, close_no, unit_path);
CREATE INDEX idx_year_results_learner ON year_results (learner_id, campaign_id);

CREATE TABLE certificates (
    id            INTEGER      PRIMARY KEY AUTOINCREMENT,
    code          VARCHAR(32)  NOT NULL,
    campaign_id   INTEGER      NOT NULL,
    close_no      INTEGER      NOT NULL,
    learner_id    INTEGER      NOT NULL,
    key_id        VARCHAR(64)  NOT NULL,
    payload       TEXT         NOT NULL,
    signature     VARCHAR(128) NOT NULL,
    issued_at     DATETIME     NOT NULL,
    revoked_at    DATETIME     NULL,
    revoked_by    INTEGER      NULL,
    revoke_reason VARCHAR(500) NULL,
    UNIQUE (code),
    UNIQUE (campaign_id, close_no, learner_id),
    FOREIGN KEY (campaign_id) REFERENCES campaigns (id)
);
CREATE INDEX idx_certificates_learner ON certificates (learner_id);

-- +goose Down
DROP TABLE certificates;
DROP TABLE year_results;
DROP TABLE campaign_closes;
DROP TABLE campaign_exemptions;
DROP TABLE campaign_formulas;
