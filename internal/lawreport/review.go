package lawreport

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// Decision is an admin's verdict on a submitted report.
type Decision string // @name LawReportDecision

// Decisions.
const (
	DecisionApprove Decision = "approve"
	DecisionReturn  Decision = "return"
)

// ReviewInput is a review: approve (optional score 0–100 and comment) or return (comment
// required, no score).
type ReviewInput struct {
	Decision Decision
	Comment  string
	Score    *int
}

func (in *ReviewInput) validate() error {
	in.Comment = strings.TrimSpace(in.Comment)
	var fields []apperr.FieldError
	switch in.Decision {
	case DecisionApprove:
		if in.Score != nil && (*in.Score < 0 || *in.Score > MaxScore) {
			fields = append(fields, apperr.Field("score", "评分须为 0–100 的整数"))
		}
	case DecisionReturn:
		if in.Comment == "" {
			fields = append(fields, apperr.Field("comment", "退回时必须填写意见"))
		}
		if in.Score != nil {
			fields = append(fields, apperr.Field("score", "退回时不能评分"))
		}
	default:
		fields = append(fields, apperr.Field("decision", "取值必须是以下之一: approve return"))
	}
	if utf8.RuneCountInString(in.Comment) > MaxComment {
		fields = append(fields, apperr.Field("comment", "长度不能超过 "+strconv.Itoa(MaxComment)))
	}
	if len(fields) > 0 {
		return apperr.Invalid("request.validation", "请求参数有误", fields...)
	}
	return nil
}

// Review approves or returns a submitted report of the admin's subtree.
func (s *Service) Review(ctx context.Context, actor auth.Actor, id int64, in ReviewInput) (*Detail, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out *Detail
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		r, err := s.load(ctx, actor, id)
		if err != nil {
			return err
		}
		if actor.Role != auth.RoleAdmin {
			return errNotFound
		}
		if r.Status != StatusSubmitted {
			return errNotSubmitted
		}
		now := s.now()
		status, action := StatusApproved, ActionApprove
		if in.Decision == DecisionReturn {
			status, action = StatusReturned, ActionReturn
		}
		ok, err := s.Store.Transition(ctx, id, StatusSubmitted, map[string]any{
			"status": status, "score": in.Score, "reviewed_by": actor.AccountID, "reviewed_at": now, "updated_at": now,
		})
		if err != nil {
			return err
		}
		if !ok {
			return errNotSubmitted
		}
		if err := s.history(ctx, actor, id, action, in.Comment, in.Score, now); err != nil {
			return err
		}
		detail := map[string]any{"decision": in.Decision}
		if in.Score != nil {
			detail["score"] = *in.Score
		}
		if err := s.record(ctx, actor, "law_report."+string(action), id, detail); err != nil {
			return err
		}
		out, err = s.detail(ctx, id)
		return err
	})
	return out, err
}

func (s *Service) history(ctx context.Context, actor auth.Actor, reportID int64, action Action, comment string, score *int, at time.Time) error {
	rv := &Review{ReportID: reportID, Action: action, ActorName: truncate(actor.Name, 64), ActorRole: string(actor.Role), Comment: comment, Score: score, CreatedAt: at}
	if actor.AccountID > 0 {
		id := actor.AccountID
		rv.ActorID = &id
	}
	return s.Store.AddReview(ctx, rv)
}
