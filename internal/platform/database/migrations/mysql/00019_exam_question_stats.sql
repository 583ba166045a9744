-- +goose Up
-- Each exam's per-question statistics (facility, discrimination), written when the exam's
-- statistics are read and once after its window closes; the question bank's item statistics
-- add them up over exams. questions_fed_at is when the exam last wrote them.
CREATE TABLE exam_question_stats (
    exam_id        BIGINT      NOT NULL,
    question_id    BIGINT      NOT NULL,
    served         INT         NOT NULL,
    facility       DOUBLE      NOT NULL,
    discrimination DOUBLE      NULL,
    computed_at    DATETIME(6) NOT NULL,
    PRIMARY KEY (exam_id, question_id),
    KEY idx_exam_question_stats_question (question_id),
    CONSTRAINT fk_exam_question_stats_exam FOREIGN KEY (exam_id) REFERENCES exams (id),
    CONSTRAINT fk_exam_question_stats_question FOREIGN KEY (question_id) REFERENCES questions (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
ALTER TABLE exams ADD COLUMN questions_fed_at DATETIME(6) NULL;

-- +goose Down
ALTER TABLE exams DROP COLUMN questions_fed_at;
DROP TABLE exam_question_stats;
