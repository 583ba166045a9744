-- +goose Up
-- A checksum of each bucket's standings, moved with its count by the board writer: a process
-- that keeps a board in memory for ranking compares both with its copy to find the buckets other
-- replicas changed (a count alone misses a player moving within a bucket). The checksum of a
-- standing is (rank_key * 31 + submitted_ms * 7 + account_id) % 1000000007.
ALTER TABLE quiz_score_buckets ADD COLUMN chk BIGINT NOT NULL DEFAULT 0;
UPDATE quiz_score_buckets SET chk = (
    SELECT COALESCE(SUM((s.rank_key * 31 + s.submitted_ms * 7 + s.account_id) % 1000000007), 0)
    FROM quiz_scores s
    WHERE s.board = quiz_score_buckets.board
      AND s.rank_key >= quiz_score_buckets.bucket * 1024 AND s.rank_key < (quiz_score_buckets.bucket + 1) * 1024);

-- +goose Down
ALTER TABLE quiz_score_buckets DROP COLUMN chk;
