package certificate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/xuefa/xuefa/internal/platform/clock"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/yearend"
)

// Issue issues the certificates of close closeNo of a campaign to the learners of results who
// met the target (the others are skipped), signed with the active key. It is the close-out's
// yearend.Certifier: it runs inside the caller's transaction (the close's last step), so the
// certificates commit with the close or not at all.
//
// The close may pass its results in pages, calling Issue once per page; each call first
// supersedes the campaign's certificates of earlier closes (revoked, reason "superseded": after
// a reopen the new close's results are the ones that stand, and a learner who no longer meets
// the target keeps no valid certificate). That is idempotent, so a close with no learner who
// met the target should still call Issue once, with no results. Learners who already hold a
// certificate of this close are skipped, so a retried page issues nothing twice.
func (s *Service) Issue(ctx context.Context, campaignID int64, closeNo int, results []yearend.Result) error {
	if closeNo < 1 {
		return fmt.Errorf("certificate: close number %d", closeNo)
	}
	return database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		now := s.now()
		if _, err := s.Store.Supersede(ctx, campaignID, closeNo, now); err != nil {
			return err
		}
		met, err := metOnly(campaignID, results)
		if err != nil || len(met) == 0 {
			return err
		}
		rows, err := s.certificates(ctx, campaignID, closeNo, met, now)
		if err != nil {
			return err
		}
		return s.Store.Insert(ctx, rows)
	})
}

// metOnly keeps the results that met the target, once per learner.
func metOnly(campaignID int64, results []yearend.Result) ([]yearend.Result, error) {
	seen := map[int64]bool{}
	var out []yearend.Result
	for _, r := range results {
		if r.CampaignID != campaignID {
			return nil, fmt.Errorf("certificate: result of campaign %d given for campaign %d", r.CampaignID, campaignID)
		}
		if r.Met && !seen[r.LearnerID] {
			seen[r.LearnerID] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// certificates builds the signed rows of met, leaving out learners already holding one of this
// close: three queries for the whole page (campaign, unit names, certificates already issued).
func (s *Service) certificates(ctx context.Context, campaignID int64, closeNo int, met []yearend.Result, now time.Time) ([]Certificate, error) {
	c, err := s.Store.Campaign(ctx, campaignID)
	if err != nil {
		return nil, fmt.Errorf("certificate: campaign %d: %w", campaignID, err)
	}
	var unitIDs []int64
	seenUnit := map[int64]bool{}
	learnerIDs := make([]int64, 0, len(met))
	for _, r := range met {
		if !seenUnit[r.UnitID] {
			seenUnit[r.UnitID] = true
			unitIDs = append(unitIDs, r.UnitID)
		}
		learnerIDs = append(learnerIDs, r.LearnerID)
	}
	units, err := s.Store.UnitNames(ctx, unitIDs)
	if err != nil {
		return nil, err
	}
	issued, err := s.Store.Issued(ctx, campaignID, closeNo, learnerIDs)
	if err != nil {
		return nil, err
	}
	issuedOn := now.In(clock.Shanghai()).Format(time.DateOnly)
	rows := make([]Certificate, 0, len(met))
	for _, r := range met {
		if issued[r.LearnerID] {
			continue
		}
		code, err := newCode()
		if err != nil {
			return nil, err
		}
		st := s.statement(code, c, units[r.UnitID], r, issuedOn)
		payload, err := canonicalJSON(st)
		if err != nil {
			return nil, err
		}
		rows = append(rows, Certificate{
			Code: code, CampaignID: campaignID, CloseNo: closeNo, LearnerID: r.LearnerID, KeyID: st.KeyID,
			Payload: string(payload), Signature: s.Keys.Sign(payload), IssuedAt: now,
		})
	}
	return rows, nil
}

// statement is what the certificate of result r states.
func (s *Service) statement(code string, c *CampaignFacts, unitName string, r yearend.Result, issuedOn string) Statement {
	status, text := "met", "达标"
	if r.Exempt || r.Status == yearend.StatusExempt {
		status, text = "exempt", "达标（免考）"
	}
	year, _ := strconv.Atoi(c.StartDate[:min(4, len(c.StartDate))])
	return Statement{
		Version: StatementVersion, Code: code, Name: maskName(r.LearnerName), Unit: unitName, Issuer: c.Organiser,
		CampaignID: c.ID, Campaign: c.Name, Year: year, StartDate: c.StartDate, EndDate: c.EndDate,
		Band: bandOf(int64(r.Score)), Status: status, StatusText: text, IssuedOn: issuedOn, KeyID: s.Keys.ActiveKID(),
	}
}

// canonicalJSON is the one byte form of a statement: fields in the struct's order, no
// insignificant whitespace, no trailing newline, UTF-8 unescaped (no \u escapes for Chinese or
// for <, >, &). Verifiers check the signature over the bytes as served, never a re-encoding.
func canonicalJSON(st Statement) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(st); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
