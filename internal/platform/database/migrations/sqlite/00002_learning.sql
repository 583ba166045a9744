-- +goose Up
CREATE TABLE learners (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER       NOT NULL REFERENCES accounts (id),
    unit_id       INTEGER       NOT NULL REFERENCES units (id),
    name          TEXT  NOT NULL,
    track         TEXT  NOT NULL,
    position      TEXT  NOT NULL DEFAULT '',
    id_card_enc   TEXT NULL,
    id_card_index TEXT     NULL,
    status        TEXT  NOT NULL,
    left_at       DATETIME  NULL,
    created_at    DATETIME  NOT NULL,
    updated_at    DATETIME  NOT NULL
);
CREATE UNIQUE INDEX uq_learners_account ON learners (account_id);
CREATE UNIQUE INDEX uq_learners_id_card_index ON learners (id_card_index);
CREATE INDEX idx_learners_unit_status ON learners (unit_id, status);
CREATE INDEX idx_learners_name ON learners (name);

CREATE TABLE campaigns (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id         INTEGER       NOT NULL REFERENCES units (id),
    name            TEXT NOT NULL,
    theme           TEXT NOT NULL DEFAULT '',
    start_date      TEXT     NOT NULL,
    end_date        TEXT     NOT NULL,
    status          TEXT  NOT NULL,
    target_leader   INTEGER       NOT NULL DEFAULT 0,
    target_general  INTEGER       NOT NULL DEFAULT 0,
    target_judicial INTEGER       NOT NULL DEFAULT 0,
    rules           TEXT         NOT NULL,
    contacts        TEXT         NOT NULL,
    created_at      DATETIME  NOT NULL,
    updated_at      DATETIME  NOT NULL
);
CREATE INDEX idx_campaigns_unit_status ON campaigns (unit_id, status);

CREATE TABLE credit_ledger (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    learner_id  INTEGER       NOT NULL,
    campaign_id INTEGER       NOT NULL,
    source      TEXT  NOT NULL,
    source_id   TEXT  NOT NULL,
    amount      INTEGER       NOT NULL,
    requested   INTEGER       NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    day         TEXT     NOT NULL,
    actor_id    INTEGER       NULL,
    created_at  DATETIME  NOT NULL
);
CREATE UNIQUE INDEX uq_credit_ledger_source ON credit_ledger (learner_id, campaign_id, source, source_id);
CREATE INDEX idx_credit_ledger_learner_time ON credit_ledger (learner_id, campaign_id, created_at);

CREATE TABLE credit_daily (
    learner_id  INTEGER      NOT NULL,
    campaign_id INTEGER      NOT NULL,
    source      TEXT NOT NULL,
    day         TEXT    NOT NULL,
    amount      INTEGER      NOT NULL DEFAULT 0,
    PRIMARY KEY (learner_id, campaign_id, source, day)
);


CREATE TABLE credit_summaries (
    learner_id       INTEGER      NOT NULL,
    campaign_id      INTEGER      NOT NULL,
    unit_id          INTEGER      NOT NULL,
    track            TEXT NOT NULL,
    total            INTEGER      NOT NULL DEFAULT 0,
    study            INTEGER      NOT NULL DEFAULT 0,
    practice         INTEGER      NOT NULL DEFAULT 0,
    exam             INTEGER      NOT NULL DEFAULT 0,
    event            INTEGER      NOT NULL DEFAULT 0,
    quiz             INTEGER      NOT NULL DEFAULT 0,
    adjustment       INTEGER      NOT NULL DEFAULT 0,
    last_activity_at DATETIME NULL,
    updated_at       DATETIME NOT NULL,
    PRIMARY KEY (learner_id, campaign_id)
);
CREATE INDEX idx_credit_summaries_rank ON credit_summaries (campaign_id, total);
CREATE INDEX idx_credit_summaries_unit_rank ON credit_summaries (campaign_id, unit_id, total);

CREATE TABLE courses (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id      INTEGER        NOT NULL REFERENCES campaigns (id),
    title            TEXT  NOT NULL,
    kind             TEXT   NOT NULL,
    url              TEXT NOT NULL DEFAULT '',
    body             TEXT          NULL,
    duration_seconds INTEGER           NOT NULL,
    tracks           TEXT   NOT NULL,
    credit           INTEGER        NOT NULL DEFAULT 0,
    sort_order       INTEGER           NOT NULL DEFAULT 0,
    status           TEXT   NOT NULL,
    created_at       DATETIME   NOT NULL,
    updated_at       DATETIME   NOT NULL
);
CREATE INDEX idx_courses_campaign ON courses (campaign_id, status, sort_order);

CREATE TABLE course_progress (
    learner_id       INTEGER      NOT NULL,
    course_id        INTEGER      NOT NULL,
    position_seconds INTEGER         NOT NULL DEFAULT 0,
    verified_seconds INTEGER         NOT NULL DEFAULT 0,
    completed_at     DATETIME NULL,
    updated_at       DATETIME NOT NULL,
    PRIMARY KEY (learner_id, course_id)
);


CREATE TABLE study_sessions (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    learner_id        INTEGER      NOT NULL,
    course_id         INTEGER      NOT NULL,
    active_learner_id INTEGER      NULL,
    started_at        DATETIME NOT NULL,
    last_beat_at      DATETIME NOT NULL,
    position_seconds  INTEGER         NOT NULL DEFAULT 0,
    verified_seconds  INTEGER         NOT NULL DEFAULT 0,
    beats             INTEGER         NOT NULL DEFAULT 0,
    ended_at          DATETIME NULL
);
CREATE UNIQUE INDEX uq_study_sessions_active ON study_sessions (active_learner_id);
CREATE INDEX idx_study_sessions_learner ON study_sessions (learner_id, course_id);

-- +goose Down
DROP TABLE study_sessions;
DROP TABLE course_progress;
DROP TABLE courses;
DROP TABLE credit_summaries;
DROP TABLE credit_daily;
DROP TABLE credit_ledger;
DROP TABLE campaigns;
DROP TABLE learners;
