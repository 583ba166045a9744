-- +goose Up
-- Supervision reads whole subtrees (docs/performance.md, "Supervision"): with last_activity_at in
-- the summaries' unit index and track in the learners' (unit_id, status) index, the dashboard's
-- per-unit aggregates read index entries only. Both replace their prefix (same index count; an
-- award rewrites the summary's entry anyway, since total is in it). Reminder rules look up what
-- a rule already sent per learner.
ALTER TABLE credit_summaries
    DROP INDEX idx_credit_summaries_unit_rank,
    ADD INDEX idx_credit_summaries_unit_rank (campaign_id, unit_id, total, track, last_activity_at);
ALTER TABLE learners
    DROP INDEX idx_learners_unit_status,
    ADD INDEX idx_learners_unit_status (unit_id, status, track);
ALTER TABLE reminders
    ADD INDEX idx_reminders_rule (rule_id, learner_id, created_at);

-- +goose Down
ALTER TABLE reminders
    DROP INDEX idx_reminders_rule;
ALTER TABLE learners
    DROP INDEX idx_learners_unit_status,
    ADD INDEX idx_learners_unit_status (unit_id, status);
ALTER TABLE credit_summaries
    DROP INDEX idx_credit_summaries_unit_rank,
    ADD INDEX idx_credit_summaries_unit_rank (campaign_id, unit_id, total, track);
