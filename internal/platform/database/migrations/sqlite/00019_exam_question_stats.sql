-- +goose Up
-- Each exam's per-question statistics (facility, discrimination), written when the exam's
-- statistics are read and once after its window closes; the question bank's item statistics
-- add them up over exams. questions_fed_at is when the exam last wrote them.
CREATE TABLE exam_question_stats (
    exam_id        INTEGER  NOT NULL REFERENCES exams (id),
    question_id    INTEGER  NOT NULL REFERENCES questions (id),
    served         INTEGER  NOT NULL,
    facility       REAL     NOT NULL,
    discrimination REAL     NULL,
    computed_at    DATETIME NOT NULL,
    PRIMARY KEY (exam_id, question_id)
);
CREATE INDEX idx_exam_question_stats_question ON exam_question_stats (question_id);
ALTER TABLE exams ADD COLUMN questions_fed_at DATETIME NULL;

-- +goose Down
ALTER TABLE exams DROP COLUMN questions_fed_at;
DROP TABLE exam_question_stats;
