-- +goose Up
-- Supervision reads whole subtrees (docs/performance.md, "Supervision"): with last_activity_at in
-- the summaries' unit index and track in the learners' (unit_id, status) index, the dashboard's
-- per-unit aggregates read index entries only. Reminder rules look up what a rule already sent
-- per learner.
DROP INDEX idx_credit_summaries_unit_rank;
CREATE INDEX idx_credit_summaries_unit_rank ON credit_summaries (campaign_id, unit_id, total, track, last_activity_at);
DROP INDEX idx_learners_unit_status;
CREATE INDEX idx_learners_unit_status ON learners (unit_id, status, track);
CREATE INDEX idx_reminders_rule ON reminders (rule_id, learner_id, created_at);

-- +goose Down
DROP INDEX idx_reminders_rule;
DROP INDEX idx_learners_unit_status;
CREATE INDEX idx_learners_unit_status ON learners (unit_id, status);
DROP INDEX idx_credit_summaries_unit_rank;
CREATE INDEX idx_credit_summaries_unit_rank ON credit_summaries (campaign_id, unit_id, total, track);
