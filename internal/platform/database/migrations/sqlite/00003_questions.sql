-- +goose Up
-- Question banks, versioned questions and practice (issue 4). Keep equivalent to
-- migrations/mysql/00003_questions.sql.
CREATE TABLE question_banks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id     INTEGER  NOT NULL REFERENCES units (id),
    name        TEXT     NOT NULL,
    subject     TEXT     NOT NULL,
    tracks      TEXT     NOT NULL DEFAULT '',
    description TEXT     NOT NULL DEFAULT '',
    created_by  INTEGER  NULL,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_question_banks_unit_name ON question_banks (unit_id, name);

CREATE TABLE questions (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    bank_id            INTEGER  NOT NULL REFERENCES question_banks (id),
    type               TEXT     NOT NULL,
    stem               TEXT     NOT NULL,
    stem_hash          TEXT     NOT NULL,
    options            TEXT     NOT NULL,
    answer             TEXT     NOT NULL,
    analysis           TEXT     NOT NULL DEFAULT '',
    law_name           TEXT     NOT NULL DEFAULT '',
    law_article        TEXT     NOT NULL DEFAULT '',
    law_effective_date TEXT     NOT NULL DEFAULT '',
    difficulty         INTEGER  NOT NULL DEFAULT 3,
    tags               TEXT     NOT NULL DEFAULT '',
    status             TEXT     NOT NULL,
    version            INTEGER  NOT NULL DEFAULT 1,
    attempt_count      INTEGER  NOT NULL DEFAULT 0,
    correct_count      INTEGER  NOT NULL DEFAULT 0,
    created_by         INTEGER  NULL,
    updated_by         INTEGER  NULL,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_questions_bank_stem ON questions (bank_id, stem_hash);
CREATE INDEX idx_questions_bank_status ON questions (bank_id, status, id);

CREATE TABLE question_versions (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    question_id        INTEGER  NOT NULL REFERENCES questions (id),
    version            INTEGER  NOT NULL,
    type               TEXT     NOT NULL,
    stem               TEXT     NOT NULL,
    options            TEXT     NOT NULL,
    answer             TEXT     NOT NULL,
    analysis           TEXT     NOT NULL DEFAULT '',
    law_name           TEXT     NOT NULL DEFAULT '',
    law_article        TEXT     NOT NULL DEFAULT '',
    law_effective_date TEXT     NOT NULL DEFAULT '',
    difficulty         INTEGER  NOT NULL DEFAULT 3,
    tags               TEXT     NOT NULL DEFAULT '',
    created_by         INTEGER  NULL,
    created_at         DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_question_versions_question_version ON question_versions (question_id, version);

CREATE TABLE practice_sessions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     INTEGER  NOT NULL REFERENCES accounts (id),
    bank_id        INTEGER  NULL REFERENCES question_banks (id),
    mode           TEXT     NOT NULL,
    question_count INTEGER  NOT NULL,
    answered_count INTEGER  NOT NULL DEFAULT 0,
    correct_count  INTEGER  NOT NULL DEFAULT 0,
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL
);
CREATE INDEX idx_practice_sessions_account ON practice_sessions (account_id, created_at);

CREATE TABLE practice_items (
    session_id   INTEGER  NOT NULL REFERENCES practice_sessions (id),
    question_id  INTEGER  NOT NULL REFERENCES questions (id),
    position     INTEGER  NOT NULL,
    version      INTEGER  NOT NULL,
    given_answer TEXT     NULL,
    correct      BOOLEAN  NULL,
    answered_at  DATETIME NULL,
    PRIMARY KEY (session_id, question_id)
);
CREATE UNIQUE INDEX uq_practice_items_position ON practice_items (session_id, position);

CREATE TABLE practice_positions (
    account_id       INTEGER  NOT NULL REFERENCES accounts (id),
    bank_id          INTEGER  NOT NULL REFERENCES question_banks (id),
    last_question_id INTEGER  NOT NULL,
    updated_at       DATETIME NOT NULL,
    PRIMARY KEY (account_id, bank_id)
);

CREATE TABLE wrong_questions (
    account_id     INTEGER  NOT NULL REFERENCES accounts (id),
    question_id    INTEGER  NOT NULL REFERENCES questions (id),
    wrong_count    INTEGER  NOT NULL DEFAULT 0,
    correct_streak INTEGER  NOT NULL DEFAULT 0,
    last_answer    TEXT     NOT NULL DEFAULT '',
    last_wrong_at  DATETIME NOT NULL,
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL,
    PRIMARY KEY (account_id, question_id)
);
CREATE INDEX idx_wrong_questions_recent ON wrong_questions (account_id, last_wrong_at);

CREATE TABLE favourite_questions (
    account_id  INTEGER  NOT NULL REFERENCES accounts (id),
    question_id INTEGER  NOT NULL REFERENCES questions (id),
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (account_id, question_id)
);
CREATE INDEX idx_favourite_questions_recent ON favourite_questions (account_id, created_at);

-- +goose Down
DROP TABLE favourite_questions;
DROP TABLE wrong_questions;
DROP TABLE practice_positions;
DROP TABLE practice_items;
DROP TABLE practice_sessions;
DROP TABLE question_versions;
DROP TABLE questions;
DROP TABLE question_banks;
