-- +goose Up
-- A submitted (or cleared) ranked play waits here until the board writer folds it into
-- quiz_scores and quiz_score_buckets; the writer clears the mark in the same transaction, so a
-- crash between the submit and the board write loses nothing.
ALTER TABLE quiz_plays ADD COLUMN board_pending BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX idx_quiz_plays_board_pending ON quiz_plays (board_pending, id);

-- +goose Down
DROP INDEX idx_quiz_plays_board_pending;
ALTER TABLE quiz_plays DROP COLUMN board_pending;
