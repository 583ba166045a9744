-- +goose Up
-- Online exams (issue 5). Keep equivalent to migrations/sqlite/00011_exams.sql.
CREATE TABLE exams (
    id                   BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    campaign_id          BIGINT        NOT NULL,
    unit_id              BIGINT        NOT NULL,
    main_exam_id         BIGINT        NULL,
    title                VARCHAR(100)  NOT NULL,
    description          VARCHAR(2000) NOT NULL DEFAULT '',
    opens_at             DATETIME(6)   NOT NULL,
    closes_at            DATETIME(6)   NOT NULL,
    duration_minutes     INT           NOT NULL,
    max_attempts         INT           NOT NULL,
    score_policy         VARCHAR(8)    NOT NULL,
    pass_score           DOUBLE        NOT NULL,
    prerequisite_credits BIGINT        NOT NULL DEFAULT 0,
    audience_tracks      VARCHAR(64)   NOT NULL DEFAULT '',
    audience_unit_ids    VARCHAR(1000) NOT NULL DEFAULT '',
    review_policy        VARCHAR(16)   NOT NULL,
    review_show_answers  BOOLEAN       NOT NULL DEFAULT FALSE,
    shuffle_questions    BOOLEAN       NOT NULL DEFAULT FALSE,
    shuffle_options      BOOLEAN       NOT NULL DEFAULT FALSE,
    partial_credit       BOOLEAN       NOT NULL DEFAULT FALSE,
    status               VARCHAR(16)   NOT NULL,
    created_by           BIGINT        NULL,
    created_at           DATETIME(6)   NOT NULL,
    updated_at           DATETIME(6)   NOT NULL,
    KEY idx_exams_unit (unit_id, status),
    KEY idx_exams_campaign (campaign_id),
    KEY idx_exams_main (main_exam_id),
    CONSTRAINT fk_exams_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id),
    CONSTRAINT fk_exams_unit FOREIGN KEY (unit_id) REFERENCES units (id),
    CONSTRAINT fk_exams_main FOREIGN KEY (main_exam_id) REFERENCES exams (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE exam_sections (
    id             BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    exam_id        BIGINT        NOT NULL,
    track          VARCHAR(16)   NOT NULL,
    position       INT           NOT NULL,
    title          VARCHAR(100)  NOT NULL DEFAULT '',
    bank_id        BIGINT        NULL,
    tag            VARCHAR(32)   NOT NULL DEFAULT '',
    type           VARCHAR(16)   NOT NULL DEFAULT '',
    count          INT           NOT NULL,
    points         DOUBLE        NOT NULL,
    difficulty_min INT           NOT NULL DEFAULT 1,
    difficulty_max INT           NOT NULL DEFAULT 5,
    question_ids   VARCHAR(4000) NOT NULL DEFAULT '',
    UNIQUE KEY uq_exam_sections_position (exam_id, track, position),
    CONSTRAINT fk_exam_sections_exam FOREIGN KEY (exam_id) REFERENCES exams (id),
    CONSTRAINT fk_exam_sections_bank FOREIGN KEY (bank_id) REFERENCES question_banks (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- active_key is 1 while an attempt is active and NULL afterwards: the unique key allows one
-- active attempt per learner and exam however many requests race to start one.
CREATE TABLE exam_attempts (
    id             BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    exam_id        BIGINT       NOT NULL,
    learner_id     BIGINT       NOT NULL,
    account_id     BIGINT       NOT NULL,
    unit_id        BIGINT       NOT NULL,
    track          VARCHAR(16)  NOT NULL,
    number         INT          NOT NULL,
    status         VARCHAR(16)  NOT NULL,
    active_key     TINYINT      NULL,
    started_at     DATETIME(6)  NOT NULL,
    deadline       DATETIME(6)  NOT NULL,
    submitted_at   DATETIME(6)  NULL,
    finalised_by   VARCHAR(16)  NOT NULL DEFAULT '',
    submit_key     VARCHAR(100) NULL,
    score          DOUBLE       NOT NULL DEFAULT 0,
    max_score      DOUBLE       NOT NULL DEFAULT 0,
    passed         BOOLEAN      NOT NULL DEFAULT FALSE,
    correct_count  INT          NOT NULL DEFAULT 0,
    question_count INT          NOT NULL DEFAULT 0,
    section_scores TEXT         NOT NULL,
    item_scores    TEXT         NOT NULL,
    created_at     DATETIME(6)  NOT NULL,
    updated_at     DATETIME(6)  NOT NULL,
    UNIQUE KEY uq_exam_attempts_number (exam_id, learner_id, number),
    UNIQUE KEY uq_exam_attempts_active (exam_id, learner_id, active_key),
    KEY idx_exam_attempts_deadline (status, deadline),
    KEY idx_exam_attempts_learner (learner_id, exam_id),
    CONSTRAINT fk_exam_attempts_exam FOREIGN KEY (exam_id) REFERENCES exams (id),
    CONSTRAINT fk_exam_attempts_learner FOREIGN KEY (learner_id) REFERENCES learners (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE exam_attempt_items (
    attempt_id   BIGINT       NOT NULL,
    question_id  BIGINT       NOT NULL,
    position     INT          NOT NULL,
    section      INT          NOT NULL,
    version      INT          NOT NULL,
    type         VARCHAR(16)  NOT NULL,
    option_order VARCHAR(8)   NOT NULL DEFAULT '',
    points       DOUBLE       NOT NULL,
    answer       VARCHAR(400) NULL,
    answered_at  DATETIME(6)  NULL,
    PRIMARY KEY (attempt_id, question_id),
    CONSTRAINT fk_exam_attempt_items_attempt FOREIGN KEY (attempt_id) REFERENCES exam_attempts (id),
    CONSTRAINT fk_exam_attempt_items_question FOREIGN KEY (question_id) REFERENCES questions (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per learner and exam, kept by grading: what counts (best or last), for results and
-- statistics without scanning attempts.
CREATE TABLE exam_results (
    exam_id            BIGINT      NOT NULL,
    learner_id         BIGINT      NOT NULL,
    unit_id            BIGINT      NOT NULL,
    track              VARCHAR(16) NOT NULL,
    attempts           INT         NOT NULL,
    score              DOUBLE      NOT NULL,
    max_score          DOUBLE      NOT NULL,
    passed             BOOLEAN     NOT NULL,
    counted_attempt_id BIGINT      NOT NULL,
    updated_at         DATETIME(6) NOT NULL,
    PRIMARY KEY (exam_id, learner_id),
    KEY idx_exam_results_unit (exam_id, unit_id),
    CONSTRAINT fk_exam_results_exam FOREIGN KEY (exam_id) REFERENCES exams (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE exam_results;
DROP TABLE exam_attempt_items;
DROP TABLE exam_attempts;
DROP TABLE exam_sections;
DROP TABLE exams;
