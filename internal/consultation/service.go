package consultation

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// Limits of questions and answers.
const (
	MinQuestion = 10
	MaxQuestion = 2000
	MaxAnswer   = 5000
)

// Errors of this domain.
var (
	errNotFound         = apperr.NotFound("consultation.not_found", "咨询不存在")
	errCampaignNotFound = apperr.Invalid("consultation.campaign_not_found", "学法活动不存在或未在进行中",
		apperr.Field("campaign_id", "学法活动不存在、未在进行中或您不参加"))
)

// Campaigns is what consultations need from campaigns.
type Campaigns interface {
	Facts(ctx context.Context, id int64) (*credit.CampaignFacts, error)
	ContactsOf(ctx context.Context, ids []int64) (map[int64]campaign.ContactCard, error)
}

// Auditor records admin writes.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Deps are the service's collaborators.
type Deps struct {
	DB        *gorm.DB
	Store     *Store
	Campaigns Campaigns
	Audit     Auditor
	Now       func() time.Time
}

// Service runs consultations.
type Service struct {
	Deps
}

// NewService builds the service.
func NewService(d Deps) *Service { return &Service{Deps: d} }

// now is the server clock at the precision both databases store.
func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// AskInput is a question.
type AskInput struct {
	CampaignID int64
	Question   string
	Key        string // the Idempotency-Key, "" when none was sent
}

// Mine is one of the asker's consultations with its campaign's name and contact channels.
type Mine struct {
	Row  Row
	Card campaign.ContactCard
}

// Ask records a question in a running campaign: learners in one they take part in (organised
// by their unit or a unit above it), participants (the public) in any. A question sent again
// with the same Idempotency-Key by the same asker is the first one, answered as it is now
// (even if the campaign has stopped since), and nothing is written.
func (s *Service) Ask(ctx context.Context, actor auth.Actor, in AskInput) (*Mine, error) {
	if actor.Role != auth.RoleLearner && actor.Role != auth.RoleParticipant {
		return nil, apperr.ErrForbidden
	}
	if in.Key != "" {
		if id, err := s.Store.AskedWithKey(ctx, actor.AccountID, in.Key); err == nil {
			return s.mine(ctx, id)
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	in.Question = strings.TrimSpace(in.Question)
	if n := utf8.RuneCountInString(in.Question); n < MinQuestion || n > MaxQuestion {
		return nil, apperr.Invalid("request.validation", "请求参数有误",
			apperr.Field("question", "问题须为 "+strconv.Itoa(MinQuestion)+"–"+strconv.Itoa(MaxQuestion)+" 个字"))
	}
	c, err := s.Campaigns.Facts(ctx, in.CampaignID)
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return nil, errCampaignNotFound
		}
		return nil, err
	}
	if !c.Active || (actor.Role == auth.RoleLearner && !strings.HasPrefix(actor.UnitPath, c.UnitPath)) {
		return nil, errCampaignNotFound
	}
	now := s.now()
	q := &Consultation{CampaignID: c.ID, AskerID: actor.AccountID, AskerName: truncate(actor.Name, 64), AskerRole: string(actor.Role),
		Question: in.Question, Status: StatusOpen, CreatedAt: now, UpdatedAt: now}
	if in.Key != "" {
		q.IdempotencyKey = &in.Key
	}
	err = s.Store.Create(ctx, q)
	if errors.Is(err, gorm.ErrDuplicatedKey) && in.Key != "" {
		// The same key raced in from another request of the asker's and won: its question it is.
		id, err := s.Store.AskedWithKey(ctx, actor.AccountID, in.Key)
		if err != nil {
			return nil, err
		}
		return s.mine(ctx, id)
	}
	if err != nil {
		return nil, err
	}
	return s.mine(ctx, q.ID)
}

// mine loads one consultation as its asker sees it.
func (s *Service) mine(ctx context.Context, id int64) (*Mine, error) {
	r, err := s.Store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	mine, err := s.withCards(ctx, []Row{*r})
	if err != nil {
		return nil, err
	}
	return &mine[0], nil
}

// ListInput narrows a listing.
type ListInput struct {
	CampaignID int64
	Status     Status
	Offset     int
	Limit      int
}

// List returns the consultations an admin answers: those of campaigns organised in their subtree.
func (s *Service) List(ctx context.Context, actor auth.Actor, in ListInput) ([]Row, int64, error) {
	if actor.Role != auth.RoleAdmin {
		return nil, 0, apperr.ErrForbidden
	}
	return s.Store.List(ctx, Filter{PathPrefix: actor.UnitPath, CampaignID: in.CampaignID, Status: in.Status}, in.Offset, in.Limit)
}

// Mine returns the caller's own questions with their answers and each campaign's contact
// channels (one query for the page, one for the campaigns).
func (s *Service) Mine(ctx context.Context, actor auth.Actor, in ListInput) ([]Mine, int64, error) {
	rows, total, err := s.Store.List(ctx, Filter{AskerID: actor.AccountID, CampaignID: in.CampaignID, Status: in.Status}, in.Offset, in.Limit)
	if err != nil {
		return nil, 0, err
	}
	out, err := s.withCards(ctx, rows)
	return out, total, err
}

func (s *Service) withCards(ctx context.Context, rows []Row) ([]Mine, error) {
	ids := make([]int64, 0, len(rows))
	seen := map[int64]bool{}
	for _, r := range rows {
		if !seen[r.CampaignID] {
			seen[r.CampaignID] = true
			ids = append(ids, r.CampaignID)
		}
	}
	cards, err := s.Campaigns.ContactsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Mine, 0, len(rows))
	for _, r := range rows {
		card, ok := cards[r.CampaignID]
		if !ok {
			card = campaign.ContactCard{CampaignID: r.CampaignID}
		}
		if card.Contacts == nil {
			card.Contacts = []campaign.Contact{}
		}
		out = append(out, Mine{Row: r, Card: card})
	}
	return out, nil
}

// Answer answers a consultation of a campaign organised in the admin's subtree, or edits the
// answer: the first answer's admin and time are kept; every answer and edit is audited.
func (s *Service) Answer(ctx context.Context, actor auth.Actor, id int64, answer string) (*Row, error) {
	answer = strings.TrimSpace(answer)
	if n := utf8.RuneCountInString(answer); n == 0 || n > MaxAnswer {
		return nil, apperr.Invalid("request.validation", "请求参数有误", apperr.Field("answer", "答复须为 1–"+strconv.Itoa(MaxAnswer)+" 个字"))
	}
	var out *Row
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		r, err := s.Store.Get(ctx, id)
		if errors.Is(err, ErrNotFound) || (err == nil && (actor.Role != auth.RoleAdmin || !actor.Covers(r.UnitPath))) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		now := s.now()
		first := false
		if r.AnsweredAt == nil {
			var by *int64
			if actor.AccountID > 0 {
				by = &actor.AccountID
			}
			first, err = s.Store.FirstAnswer(ctx, id, map[string]any{
				"answer": answer, "status": StatusAnswered, "answered_by": by,
				"answered_by_name": truncate(actor.Name, 64), "answered_at": now, "updated_at": now,
			})
			if err != nil {
				return err
			}
		}
		if !first {
			if err := s.Store.Update(ctx, id, map[string]any{"answer": answer, "status": StatusAnswered, "updated_at": now}); err != nil {
				return err
			}
		}
		action := "consultation.answer"
		if !first {
			action = "consultation.answer_edit"
		}
		if err := s.Audit.Record(ctx, audit.Entry{Actor: &actor, Action: action, ResourceType: "consultation", ResourceID: id,
			Outcome: audit.Success, Detail: map[string]any{"campaign_id": r.CampaignID}}); err != nil {
			return err
		}
		out, err = s.Store.Get(ctx, id)
		return err
	})
	return out, err
}

// truncate cuts s to at most n characters (the column's width).
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
