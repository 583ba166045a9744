-- +goose Up
-- Leaderboards read summaries by unit without touching rows: with track in the unit index, the
-- per-unit completion counts (credit.Store.SubUnitStandings) and a narrow subtree's top list
-- (credit.Store.TopLearners) are index-only. RankInUnit keeps using its (campaign_id, unit_id,
-- total) prefix.
DROP INDEX idx_credit_summaries_unit_rank;
CREATE INDEX idx_credit_summaries_unit_rank ON credit_summaries (campaign_id, unit_id, total, track);

-- +goose Down
DROP INDEX idx_credit_summaries_unit_rank;
CREATE INDEX idx_credit_summaries_unit_rank ON credit_summaries (campaign_id, unit_id, total);
