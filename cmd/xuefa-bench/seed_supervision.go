package main

import (
	"context"
	"database/sql"
)

// seedUnitDaily fills the dashboard's per-unit daily series (credit_unit_daily, which Award
// keeps) from the seeded daily counters: what each unit's learners earned per day.
func seedUnitDaily(ctx context.Context, bulk *sql.DB) (int64, error) {
	res, err := bulk.ExecContext(ctx, `INSERT INTO credit_unit_daily (campaign_id, unit_id, day, amount)
		SELECT d.campaign_id, l.unit_id, d.day, SUM(d.amount) FROM credit_daily d JOIN learners l ON l.id = d.learner_id
		GROUP BY d.campaign_id, l.unit_id, d.day`)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
