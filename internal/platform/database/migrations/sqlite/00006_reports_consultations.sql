-- +goose Up
CREATE TABLE law_reports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id  INTEGER  NOT NULL REFERENCES campaigns (id),
    learner_id   INTEGER  NOT NULL REFERENCES learners (id),
    unit_id      INTEGER  NOT NULL REFERENCES units (id),
    title        TEXT     NOT NULL,
    body         TEXT     NOT NULL,
    attachments  TEXT     NOT NULL,
    status       TEXT     NOT NULL,
    score        INTEGER  NULL,
    revision     INTEGER  NOT NULL DEFAULT 1,
    submitted_by INTEGER  NOT NULL,
    submitted_at DATETIME NOT NULL,
    reviewed_by  INTEGER  NULL,
    reviewed_at  DATETIME NULL,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_law_reports_campaign_learner ON law_reports (campaign_id, learner_id);
CREATE INDEX idx_law_reports_unit_status ON law_reports (unit_id, status);
CREATE INDEX idx_law_reports_learner ON law_reports (learner_id);

CREATE TABLE law_report_reviews (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id  INTEGER  NOT NULL REFERENCES law_reports (id),
    action     TEXT     NOT NULL,
    actor_id   INTEGER  NULL,
    actor_name TEXT     NOT NULL DEFAULT '',
    actor_role TEXT     NOT NULL DEFAULT '',
    comment    TEXT     NOT NULL,
    score      INTEGER  NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX idx_law_report_reviews_report ON law_report_reviews (report_id, id);

CREATE TABLE consultations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id      INTEGER  NOT NULL REFERENCES campaigns (id),
    asker_id         INTEGER  NOT NULL REFERENCES accounts (id),
    asker_name       TEXT     NOT NULL DEFAULT '',
    asker_role       TEXT     NOT NULL,
    question         TEXT     NOT NULL,
    status           TEXT     NOT NULL,
    answer           TEXT     NULL,
    answered_by      INTEGER  NULL,
    answered_by_name TEXT     NOT NULL DEFAULT '',
    answered_at      DATETIME NULL,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL
);
CREATE INDEX idx_consultations_campaign_status ON consultations (campaign_id, status);
CREATE INDEX idx_consultations_asker ON consultations (asker_id);

-- +goose Down
DROP TABLE consultations;
DROP TABLE law_report_reviews;
DROP TABLE law_reports;
