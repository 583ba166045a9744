-- +goose Up
-- exam_closing rules remind about exams whose window closes within this many days.
ALTER TABLE reminder_rules ADD COLUMN within_days INT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE reminder_rules DROP COLUMN within_days;
