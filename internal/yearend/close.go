package yearend

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// The close-out freezes every learner's year result of a campaign in three steps:
//
//  1. one transaction locks the campaign's row, moves it from active to closing and adds the
//     close (numbered, with the formula frozen as JSON). The credit ledger reads a campaign's
//     status under a shared lock before it writes an award, so this step waits for the awards
//     in flight and every award after it is refused: each award is in the snapshot or refused.
//  2. batches of closeBatch learners (ascending ids, from Batch) each go to year_results in
//     one transaction that also moves the close's cursor. A crash between batches loses
//     nothing: POST close again on a closing campaign resumes from the cursor.
//  3. one transaction moves the campaign to closed and the close to done, issues the
//     certificates (Certifier) and emits campaign.closed.

// defaultCloseBatch is how many learners' results one transaction of step 2 writes
// (Service.closeBatch; tests make it small to cross batches with few learners).
const defaultCloseBatch = 2000

// certificatePage is how many met results one call of Certifier.Issue gets.
const certificatePage = 2000

// Errors of the close-out.
var (
	errOrganiserOnly = apperr.Forbidden("campaign.organiser_only", "只有学法活动主办单位的管理员可以结办或重新开放学法活动")
	errAlreadyClosed = apperr.Conflict("campaign.already_closed", "学法活动已结办")
	errCloseDraft    = apperr.Conflict("campaign.not_active", "学法活动尚未开始（草稿），不能结办")
	errNotClosed     = apperr.Conflict("campaign.not_closed", "只有已结办的学法活动可以重新开放")
)

// Certifier issues the certificates of a close (package certificate), inside the close's last
// transaction. It is called once per page of up to certificatePage met results of the close,
// in ascending learner order, and once with no results when nobody met the target, so it sees
// every close (and can supersede an earlier close's certificates) at least once.
type Certifier interface {
	Issue(ctx context.Context, campaignID int64, closeNo int, results []Result) error
}

// EventCampaignClosed is emitted once when a close-out finishes.
const EventCampaignClosed = "campaign.closed"

// ClosedEvent is the data of a campaign.closed webhook event (its schema is in the published
// contract: keep the swag tags).
type ClosedEvent struct {
	CampaignID int64     `json:"campaign_id" example:"1"`
	Name       string    `json:"name" example:"第九个机关集中学法月"`
	UnitID     int64     `json:"unit_id" example:"1"`
	CloseNo    int       `json:"close_no" example:"1"`
	Learners   int       `json:"learners" example:"1250"`
	Met        int       `json:"met" example:"1180"`
	ClosedAt   time.Time `json:"closed_at" format:"date-time"`
} // @name CampaignClosedEvent

// CloseRow is a close with the number of its results that met the target.
type CloseRow struct {
	Close
	Met int
}

// frozenFormula is a Formula as a close stores it (campaign_closes.formula).
type frozenFormula struct {
	ExamWeight          int           `json:"exam_weight"`
	ExamID              *int64        `json:"exam_id"`
	PassScore           credit.Amount `json:"pass_score"`
	ExemptTargetPercent int           `json:"exempt_target_percent"`
}

func freezeFormula(f Formula) string {
	raw, _ := json.Marshal(frozenFormula{ExamWeight: f.ExamWeight, ExamID: f.ExamID, PassScore: f.PassScore, ExemptTargetPercent: f.ExemptTargetPercent})
	return string(raw)
}

// FrozenFormula is the formula the close used.
func (c Close) FrozenFormula() (Formula, error) {
	var ff frozenFormula
	if err := json.Unmarshal([]byte(c.Formula), &ff); err != nil {
		return Formula{}, err
	}
	return Formula{CampaignID: c.CampaignID, ExamWeight: ff.ExamWeight, ExamID: ff.ExamID, PassScore: ff.PassScore,
		ExemptTargetPercent: ff.ExemptTargetPercent}, nil
}

// closeable returns a campaign the actor may close or reopen: one they see (404 otherwise; a
// township admin sees the county's campaign) organised by their own unit (403 otherwise: the
// organiser's level decides).
func (s *Service) closeable(ctx context.Context, actor auth.Actor, campaignID int64) (*campaign.Row, error) {
	c, err := s.seenCampaign(ctx, actor, campaignID)
	if err != nil {
		return nil, err
	}
	if actor.UnitID != c.UnitID {
		return nil, errOrganiserOnly
	}
	return c, nil
}

// Close closes a campaign (see the steps above), or resumes a close that stopped part way,
// and returns the finished close. Only an admin of the organiser unit may.
func (s *Service) Close(ctx context.Context, actor auth.Actor, campaignID int64) (*CloseRow, error) {
	if _, err := s.closeable(ctx, actor, campaignID); err != nil {
		return nil, err
	}
	c, cl, err := s.beginClose(ctx, actor, campaignID)
	if err != nil {
		return nil, err
	}
	for {
		done, err := s.closeNextBatch(ctx, c, cl.ID)
		if err != nil {
			return nil, err
		}
		if done {
			break
		}
	}
	return s.finishClose(ctx, c, cl.ID)
}

// beginClose is step 1: it moves an active campaign to closing with a new close, or finds
// the running close of a closing one.
func (s *Service) beginClose(ctx context.Context, actor auth.Actor, campaignID int64) (*campaign.Row, *Close, error) {
	var c *campaign.Row
	var cl *Close
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		var err error
		if c, err = s.campaigns.LockRow(ctx, campaignID); err != nil {
			return err
		}
		resumed := c.Status == campaign.StatusClosing
		switch c.Status {
		case campaign.StatusDraft:
			return errCloseDraft
		case campaign.StatusClosed:
			return errAlreadyClosed
		case campaign.StatusClosing:
			if cl, err = s.store.RunningClose(ctx, campaignID); err != nil {
				return err
			}
		default:
			if cl, err = s.openClose(ctx, actor, c); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Entry{Actor: &actor, Action: "campaign.close", ResourceType: "campaign", ResourceID: campaignID,
			Outcome: audit.Success, Detail: map[string]any{"close_no": cl.CloseNo, "resumed": resumed}})
	})
	return c, cl, err
}

// openClose adds the campaign's next close, with its formula frozen, and marks it closing.
func (s *Service) openClose(ctx context.Context, actor auth.Actor, c *campaign.Row) (*Close, error) {
	f, err := s.FormulaOf(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	last, err := s.store.LastCloseNo(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	by := actor.AccountID
	cl := &Close{CampaignID: c.ID, CloseNo: last + 1, State: CloseRunning, Formula: freezeFormula(f), StartedBy: &by, StartedAt: s.now()}
	if err := s.store.InsertClose(ctx, cl); err != nil {
		return nil, err
	}
	c.Status = campaign.StatusClosing
	return cl, s.campaigns.SetStatus(ctx, c.ID, campaign.StatusClosing)
}

// closeNextBatch is one transaction of step 2: the next batch of results after the close's
// cursor, read and written under the close's row lock (two resumes at once take turns, each
// from the cursor the other left). It reports done when no learner is left.
func (s *Service) closeNextBatch(ctx context.Context, c *campaign.Row, closeID int64) (bool, error) {
	done := false
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		cl, err := s.store.LockClose(ctx, closeID)
		if err != nil {
			return err
		}
		if cl.State != CloseRunning {
			done = true
			return nil
		}
		f, err := cl.FrozenFormula()
		if err != nil {
			return err
		}
		results, err := s.Batch(ctx, c, f, cl.NextLearnerID, s.closeBatch)
		if err != nil {
			return err
		}
		if len(results) == 0 {
			done = true
			return nil
		}
		now := s.now()
		for i := range results {
			results[i].CloseNo, results[i].CreatedAt = cl.CloseNo, now
		}
		if err := s.store.InsertResults(ctx, results); err != nil {
			return err
		}
		done = len(results) < s.closeBatch
		return s.store.AdvanceClose(ctx, cl.ID, results[len(results)-1].LearnerID, cl.Learners+len(results))
	})
	return done, err
}

// finishClose is step 3: campaign closed, close done, certificates issued, event emitted. A
// close another request finished meanwhile is returned as it is.
func (s *Service) finishClose(ctx context.Context, c *campaign.Row, closeID int64) (*CloseRow, error) {
	var out *CloseRow
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		if _, err := s.campaigns.LockRow(ctx, c.ID); err != nil {
			return err
		}
		cl, err := s.store.LockClose(ctx, closeID)
		if err != nil {
			return err
		}
		finishing := cl.State == CloseRunning
		if finishing {
			now := s.now()
			if err := s.campaigns.SetStatus(ctx, c.ID, campaign.StatusClosed); err != nil {
				return err
			}
			if err := s.store.FinishClose(ctx, cl.ID, now); err != nil {
				return err
			}
			cl.State, cl.FinishedAt = CloseDone, &now
		}
		met, err := s.store.CountMet(ctx, c.ID, cl.CloseNo)
		if err != nil {
			return err
		}
		out = &CloseRow{Close: *cl, Met: met}
		if !finishing {
			return nil
		}
		if err := s.certify(ctx, cl); err != nil {
			return err
		}
		if s.events == nil {
			return nil
		}
		return s.events.Emit(ctx, EventCampaignClosed, c.UnitPath, ClosedEvent{CampaignID: c.ID, Name: c.Name, UnitID: c.UnitID,
			CloseNo: cl.CloseNo, Learners: cl.Learners, Met: met, ClosedAt: cl.FinishedAt.UTC()})
	})
	return out, err
}

// certify hands the close's met results to the Certifier page by page (see Certifier).
func (s *Service) certify(ctx context.Context, cl *Close) error {
	if s.certifier == nil {
		return nil
	}
	after, calls := int64(0), 0
	for {
		page, err := s.store.MetResults(ctx, cl.CampaignID, cl.CloseNo, after, certificatePage)
		if err != nil {
			return err
		}
		if len(page) > 0 || calls == 0 {
			if err := s.certifier.Issue(ctx, cl.CampaignID, cl.CloseNo, page); err != nil {
				return err
			}
			calls++
		}
		if len(page) < certificatePage {
			return nil
		}
		after = page[len(page)-1].LearnerID
	}
}

// Reopen moves a closed campaign back to active (audited, with a reason): its latest close
// becomes reopened and keeps its snapshot; a later close gets the next number. Only an admin
// of the organiser unit may.
func (s *Service) Reopen(ctx context.Context, actor auth.Actor, campaignID int64, reason string) (*CloseRow, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return nil, apperr.Invalid("request.validation", "请求参数有误", apperr.Field("reason", "请填写重新开放的原因（不超过 500 字）"))
	}
	if _, err := s.closeable(ctx, actor, campaignID); err != nil {
		return nil, err
	}
	var out *CloseRow
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		c, err := s.campaigns.LockRow(ctx, campaignID)
		if err != nil {
			return err
		}
		if c.Status != campaign.StatusClosed {
			return errNotClosed
		}
		cl, err := s.store.LastDoneClose(ctx, campaignID)
		if errors.Is(err, errNoClose) {
			return errNotClosed
		}
		if err != nil {
			return err
		}
		now, by := s.now(), actor.AccountID
		if err := s.store.ReopenClose(ctx, cl.ID, by, now, reason); err != nil {
			return err
		}
		if err := s.campaigns.SetStatus(ctx, campaignID, campaign.StatusActive); err != nil {
			return err
		}
		cl.State, cl.ReopenedBy, cl.ReopenedAt, cl.ReopenReason = CloseReopened, &by, &now, &reason
		met, err := s.store.CountMet(ctx, campaignID, cl.CloseNo)
		if err != nil {
			return err
		}
		out = &CloseRow{Close: *cl, Met: met}
		return s.audit.Record(ctx, audit.Entry{Actor: &actor, Action: "campaign.reopen", ResourceType: "campaign", ResourceID: campaignID,
			Outcome: audit.Success, Detail: map[string]any{"close_no": cl.CloseNo, "reason": reason}})
	})
	return out, err
}

// Closes lists a campaign's closes, newest first, to an admin who sees the campaign.
func (s *Service) Closes(ctx context.Context, actor auth.Actor, campaignID int64) ([]CloseRow, error) {
	if _, err := s.seenCampaign(ctx, actor, campaignID); err != nil {
		return nil, err
	}
	return s.store.ListCloses(ctx, campaignID)
}
