-- +goose Up
-- Leaderboards read summaries by unit without touching rows: with track in the unit index, the
-- per-unit completion counts (credit.Store.SubUnitStandings) and a narrow subtree's top list
-- (credit.Store.TopLearners) are index-only. RankInUnit keeps using its (campaign_id, unit_id,
-- total) prefix. One ALTER, so the table is never without the index.
ALTER TABLE credit_summaries
    DROP INDEX idx_credit_summaries_unit_rank,
    ADD INDEX idx_credit_summaries_unit_rank (campaign_id, unit_id, total, track);

-- +goose Down
ALTER TABLE credit_summaries
    DROP INDEX idx_credit_summaries_unit_rank,
    ADD INDEX idx_credit_summaries_unit_rank (campaign_id, unit_id, total);
