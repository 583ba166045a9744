-- +goose Up
-- Question banks, versioned questions and practice (issue 4). Keep equivalent to
-- migrations/sqlite/00003_questions.sql.
CREATE TABLE question_banks (
    id          BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    unit_id     BIGINT        NOT NULL,
    name        VARCHAR(100)  NOT NULL,
    subject     VARCHAR(32)   NOT NULL,
    tracks      VARCHAR(64)   NOT NULL DEFAULT '',
    description VARCHAR(1000) NOT NULL DEFAULT '',
    created_by  BIGINT        NULL,
    created_at  DATETIME(6)   NOT NULL,
    updated_at  DATETIME(6)   NOT NULL,
    UNIQUE KEY uq_question_banks_unit_name (unit_id, name),
    CONSTRAINT fk_question_banks_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE questions (
    id                 BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    bank_id            BIGINT       NOT NULL,
    type               VARCHAR(16)  NOT NULL,
    stem               TEXT         NOT NULL,
    stem_hash          CHAR(64)     NOT NULL,
    options            TEXT         NOT NULL,
    answer             TEXT         NOT NULL,
    analysis           TEXT         NOT NULL,
    law_name           VARCHAR(100) NOT NULL DEFAULT '',
    law_article        VARCHAR(64)  NOT NULL DEFAULT '',
    law_effective_date VARCHAR(10)  NOT NULL DEFAULT '',
    difficulty         INT          NOT NULL DEFAULT 3,
    tags               VARCHAR(400) NOT NULL DEFAULT '',
    status             VARCHAR(16)  NOT NULL,
    version            INT          NOT NULL DEFAULT 1,
    attempt_count      BIGINT       NOT NULL DEFAULT 0,
    correct_count      BIGINT       NOT NULL DEFAULT 0,
    created_by         BIGINT       NULL,
    updated_by         BIGINT       NULL,
    created_at         DATETIME(6)  NOT NULL,
    updated_at         DATETIME(6)  NOT NULL,
    UNIQUE KEY uq_questions_bank_stem (bank_id, stem_hash),
    KEY idx_questions_bank_status (bank_id, status, id),
    CONSTRAINT fk_questions_bank FOREIGN KEY (bank_id) REFERENCES question_banks (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE question_versions (
    id                 BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    question_id        BIGINT       NOT NULL,
    version            INT          NOT NULL,
    type               VARCHAR(16)  NOT NULL,
    stem               TEXT         NOT NULL,
    options            TEXT         NOT NULL,
    answer             TEXT         NOT NULL,
    analysis           TEXT         NOT NULL,
    law_name           VARCHAR(100) NOT NULL DEFAULT '',
    law_article        VARCHAR(64)  NOT NULL DEFAULT '',
    law_effective_date VARCHAR(10)  NOT NULL DEFAULT '',
    difficulty         INT          NOT NULL DEFAULT 3,
    tags               VARCHAR(400) NOT NULL DEFAULT '',
    created_by         BIGINT       NULL,
    created_at         DATETIME(6)  NOT NULL,
    UNIQUE KEY uq_question_versions_question_version (question_id, version),
    CONSTRAINT fk_question_versions_question FOREIGN KEY (question_id) REFERENCES questions (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE practice_sessions (
    id             BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id     BIGINT      NOT NULL,
    bank_id        BIGINT      NULL,
    mode           VARCHAR(16) NOT NULL,
    question_count INT         NOT NULL,
    answered_count INT         NOT NULL DEFAULT 0,
    correct_count  INT         NOT NULL DEFAULT 0,
    created_at     DATETIME(6) NOT NULL,
    updated_at     DATETIME(6) NOT NULL,
    KEY idx_practice_sessions_account (account_id, created_at),
    CONSTRAINT fk_practice_sessions_account FOREIGN KEY (account_id) REFERENCES accounts (id),
    CONSTRAINT fk_practice_sessions_bank FOREIGN KEY (bank_id) REFERENCES question_banks (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE practice_items (
    session_id   BIGINT        NOT NULL,
    question_id  BIGINT        NOT NULL,
    position     INT           NOT NULL,
    version      INT           NOT NULL,
    given_answer VARCHAR(1000) NULL,
    correct      BOOLEAN       NULL,
    answered_at  DATETIME(6)   NULL,
    PRIMARY KEY (session_id, question_id),
    UNIQUE KEY uq_practice_items_position (session_id, position),
    CONSTRAINT fk_practice_items_session FOREIGN KEY (session_id) REFERENCES practice_sessions (id),
    CONSTRAINT fk_practice_items_question FOREIGN KEY (question_id) REFERENCES questions (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE practice_positions (
    account_id       BIGINT      NOT NULL,
    bank_id          BIGINT      NOT NULL,
    last_question_id BIGINT      NOT NULL,
    updated_at       DATETIME(6) NOT NULL,
    PRIMARY KEY (account_id, bank_id),
    CONSTRAINT fk_practice_positions_account FOREIGN KEY (account_id) REFERENCES accounts (id),
    CONSTRAINT fk_practice_positions_bank FOREIGN KEY (bank_id) REFERENCES question_banks (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE wrong_questions (
    account_id     BIGINT        NOT NULL,
    question_id    BIGINT        NOT NULL,
    wrong_count    INT           NOT NULL DEFAULT 0,
    correct_streak INT           NOT NULL DEFAULT 0,
    last_answer    VARCHAR(1000) NOT NULL DEFAULT '',
    last_wrong_at  DATETIME(6)   NOT NULL,
    created_at     DATETIME(6)   NOT NULL,
    updated_at     DATETIME(6)   NOT NULL,
    PRIMARY KEY (account_id, question_id),
    KEY idx_wrong_questions_recent (account_id, last_wrong_at),
    CONSTRAINT fk_wrong_questions_account FOREIGN KEY (account_id) REFERENCES accounts (id),
    CONSTRAINT fk_wrong_questions_question FOREIGN KEY (question_id) REFERENCES questions (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE favourite_questions (
    account_id  BIGINT      NOT NULL,
    question_id BIGINT      NOT NULL,
    created_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (account_id, question_id),
    KEY idx_favourite_questions_recent (account_id, created_at),
    CONSTRAINT fk_favourite_questions_account FOREIGN KEY (account_id) REFERENCES accounts (id),
    CONSTRAINT fk_favourite_questions_question FOREIGN KEY (question_id) REFERENCES questions (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE favourite_questions;
DROP TABLE wrong_questions;
DROP TABLE practice_positions;
DROP TABLE practice_items;
DROP TABLE practice_sessions;
DROP TABLE question_versions;
DROP TABLE questions;
DROP TABLE question_banks;
