package main

import (
	"context"
	"fmt"
	"net/http"
)

// supervisionRequest builds the 督学 scenarios: the unit dashboard of the root unit (the county
// admin's, every learner) and of 华阳镇 (its admin's), for the seeded campaign.
func (e *benchEnv) supervisionRequest(name string) request {
	var username, token string
	switch name {
	case "dashboard-county":
		username, token = "admin", e.county
	case "dashboard-township":
		username, token = "huayang-admin", e.township
	default:
		panic("unknown scenario " + name)
	}
	var unitID int64
	if err := e.sqlDB.QueryRowContext(context.Background(), "SELECT unit_id FROM accounts WHERE username = ?", username).Scan(&unitID); err != nil {
		panic(fmt.Sprintf("%s: the unit of %s: %v", name, username, err))
	}
	url := fmt.Sprintf("%s/api/v1/units/%d/dashboard?campaign_id=%d", e.api, unitID, e.campaignID)
	return func(uint64) (string, string, string, []byte) { return http.MethodGet, url, token, nil }
}
