-- +goose Up
-- Online exams (issue 5). Keep equivalent to migrations/mysql/00011_exams.sql.
CREATE TABLE exams (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id          INTEGER  NOT NULL REFERENCES campaigns (id),
    unit_id              INTEGER  NOT NULL REFERENCES units (id),
    main_exam_id         INTEGER  NULL REFERENCES exams (id),
    title                TEXT     NOT NULL,
    description          TEXT     NOT NULL DEFAULT '',
    opens_at             DATETIME NOT NULL,
    closes_at            DATETIME NOT NULL,
    duration_minutes     INTEGER  NOT NULL,
    max_attempts         INTEGER  NOT NULL,
    score_policy         TEXT     NOT NULL,
    pass_score           REAL     NOT NULL,
    prerequisite_credits INTEGER  NOT NULL DEFAULT 0,
    audience_tracks      TEXT     NOT NULL DEFAULT '',
    audience_unit_ids    TEXT     NOT NULL DEFAULT '',
    review_policy        TEXT     NOT NULL,
    review_show_answers  BOOLEAN  NOT NULL DEFAULT FALSE,
    shuffle_questions    BOOLEAN  NOT NULL DEFAULT FALSE,
    shuffle_options      BOOLEAN  NOT NULL DEFAULT FALSE,
    partial_credit       BOOLEAN  NOT NULL DEFAULT FALSE,
    status               TEXT     NOT NULL,
    created_by           INTEGER  NULL,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL
);
CREATE INDEX idx_exams_unit ON exams (unit_id, status);
CREATE INDEX idx_exams_campaign ON exams (campaign_id);
CREATE INDEX idx_exams_main ON exams (main_exam_id);

CREATE TABLE exam_sections (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    exam_id        INTEGER NOT NULL REFERENCES exams (id),
    track          TEXT    NOT NULL,
    position       INTEGER NOT NULL,
    title          TEXT    NOT NULL DEFAULT '',
    bank_id        INTEGER NULL REFERENCES question_banks (id),
    tag            TEXT    NOT NULL DEFAULT '',
    type           TEXT    NOT NULL DEFAULT '',
    count          INTEGER NOT NULL,
    points         REAL    NOT NULL,
    difficulty_min INTEGER NOT NULL DEFAULT 1,
    difficulty_max INTEGER NOT NULL DEFAULT 5,
    question_ids   TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX uq_exam_sections_position ON exam_sections (exam_id, track, position);

-- active_key is 1 while an attempt is active and NULL afterwards: the unique index allows one
-- active attempt per learner and exam however many requests race to start one.
CREATE TABLE exam_attempts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    exam_id        INTEGER  NOT NULL REFERENCES exams (id),
    learner_id     INTEGER  NOT NULL REFERENCES learners (id),
    account_id     INTEGER  NOT NULL,
    unit_id        INTEGER  NOT NULL,
    track          TEXT     NOT NULL,
    number         INTEGER  NOT NULL,
    status         TEXT     NOT NULL,
    active_key     INTEGER  NULL,
    started_at     DATETIME NOT NULL,
    deadline       DATETIME NOT NULL,
    submitted_at   DATETIME NULL,
    finalised_by   TEXT     NOT NULL DEFAULT '',
    submit_key     TEXT     NULL,
    score          REAL     NOT NULL DEFAULT 0,
    max_score      REAL     NOT NULL DEFAULT 0,
    passed         BOOLEAN  NOT NULL DEFAULT FALSE,
    correct_count  INTEGER  NOT NULL DEFAULT 0,
    question_count INTEGER  NOT NULL DEFAULT 0,
    section_scores TEXT     NOT NULL DEFAULT '[]',
    item_scores    TEXT     NOT NULL DEFAULT '[]',
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_exam_attempts_number ON exam_attempts (exam_id, learner_id, number);
CREATE UNIQUE INDEX uq_exam_attempts_active ON exam_attempts (exam_id, learner_id, active_key);
CREATE INDEX idx_exam_attempts_deadline ON exam_attempts (status, deadline);
CREATE INDEX idx_exam_attempts_learner ON exam_attempts (learner_id, exam_id);

CREATE TABLE exam_attempt_items (
    attempt_id   INTEGER  NOT NULL REFERENCES exam_attempts (id),
    question_id  INTEGER  NOT NULL REFERENCES questions (id),
    position     INTEGER  NOT NULL,
    section      INTEGER  NOT NULL,
    version      INTEGER  NOT NULL,
    type         TEXT     NOT NULL,
    option_order TEXT     NOT NULL DEFAULT '',
    points       REAL     NOT NULL,
    answer       TEXT     NULL,
    answered_at  DATETIME NULL,
    PRIMARY KEY (attempt_id, question_id)
);

-- One row per learner and exam, kept by grading: what counts (best or last), for results and
-- statistics without scanning attempts.
CREATE TABLE exam_results (
    exam_id            INTEGER  NOT NULL REFERENCES exams (id),
    learner_id         INTEGER  NOT NULL REFERENCES learners (id),
    unit_id            INTEGER  NOT NULL,
    track              TEXT     NOT NULL,
    attempts           INTEGER  NOT NULL,
    score              REAL     NOT NULL,
    max_score          REAL     NOT NULL,
    passed             BOOLEAN  NOT NULL,
    counted_attempt_id INTEGER  NOT NULL,
    updated_at         DATETIME NOT NULL,
    PRIMARY KEY (exam_id, learner_id)
);
CREATE INDEX idx_exam_results_unit ON exam_results (exam_id, unit_id);

-- +goose Down
DROP TABLE exam_results;
DROP TABLE exam_attempt_items;
DROP TABLE exam_attempts;
DROP TABLE exam_sections;
DROP TABLE exams;
