package learner

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/etag"
)

// MaxSyncItems is how many learners one sync request may carry.
const MaxSyncItems = 1000

// Sync outcomes of one item.
const (
	SyncCreated   = "created"
	SyncUpdated   = "updated"
	SyncUnchanged = "unchanged"
	SyncError     = "error"
)

var (
	errExternalIDTaken = apperr.Conflict("learner.external_id_taken", "外部编号已被管辖范围外的学员使用").WithFields(apperr.Field("external_id", "已被使用"))
	errDuplicateItem   = apperr.Invalid("learner.duplicate_external_id", "同一请求中外部编号重复", apperr.Field("external_id", "在本次请求中重复"))
	errBadExternalID   = apperr.Invalid("request.validation", "请求参数有误", apperr.Field("external_id", "须为 1–64 个可打印 ASCII 字符"))
)

// SyncItem is one learner as an HR system knows them.
type SyncItem struct {
	Profile
}

// SyncResult is what a sync did to one item.
type SyncResult struct {
	Index      int
	ExternalID string
	Status     string
	LearnerID  int64
	Err        *apperr.Error
}

// Sync upserts learners by external id inside the actor's subtree, each item in its own
// transaction under the same rules as Create and Update (and audited the same way). It is
// idempotent: sending the same list again changes nothing and answers "unchanged". Invalid
// items are reported and skipped; the others still apply.
func (s *Service) Sync(ctx context.Context, actor auth.Actor, items []SyncItem) ([]SyncResult, error) {
	out := make([]SyncResult, 0, len(items))
	seen := map[string]bool{}
	for i, it := range items {
		it.ExternalID = strings.TrimSpace(it.ExternalID)
		res := SyncResult{Index: i, ExternalID: it.ExternalID}
		var err error
		switch {
		case !validExternalID(it.ExternalID):
			err = errBadExternalID
		case seen[it.ExternalID]:
			err = errDuplicateItem
		default:
			seen[it.ExternalID] = true
			res.Status, res.LearnerID, err = s.syncOne(ctx, actor, it.Profile)
		}
		if err != nil {
			e, ok := apperr.As(err)
			if !ok {
				return nil, err
			}
			res.Status, res.Err = SyncError, e
		}
		out = append(out, res)
	}
	return out, nil
}

func validExternalID(id string) bool {
	if id == "" || utf8.RuneCountInString(id) > 64 {
		return false
	}
	for _, r := range id {
		if r < 0x21 || r > 0x7e {
			return false
		}
	}
	return true
}

func (s *Service) syncOne(ctx context.Context, actor auth.Actor, p Profile) (string, int64, error) {
	if err := p.validate(true); err != nil {
		return "", 0, err
	}
	if err := s.checkUnit(ctx, actor, p.UnitID); err != nil {
		return "", 0, err
	}
	status, id := "", int64(0)
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		cur, err := s.store.ByExternalID(ctx, p.ExternalID)
		if errors.Is(err, ErrNotFound) {
			l, _, err := s.insert(ctx, p, account.LearnerAccountInput{NoPassword: true})
			if err != nil {
				return err
			}
			status, id = SyncCreated, l.ID
			return s.record(ctx, actor, "learner.create", l.ID, map[string]any{"unit_id": l.UnitID, "track": l.Track, "via": "sync"})
		}
		if err != nil {
			return err
		}
		if !actor.Covers(cur.UnitPath) {
			return errExternalIDTaken
		}
		id = cur.ID
		in, err := s.syncChanges(ctx, cur, p)
		if err != nil || in == nil {
			status = SyncUnchanged
			return err
		}
		status = SyncUpdated
		_, err = s.Update(ctx, actor, cur.ID, *in, etag.IfMatch{}) // a sync is the record of truth: unconditional
		return err
	})
	return status, id, err
}

// syncChanges compares the stored learner with the synced profile; nil when nothing changed.
func (s *Service) syncChanges(ctx context.Context, cur *Row, p Profile) (*UpdateInput, error) {
	in := UpdateInput{}
	changed := false
	if cur.Name != p.Name {
		in.Name, changed = &p.Name, true
	}
	if cur.UnitID != p.UnitID {
		in.UnitID, changed = &p.UnitID, true
	}
	if cur.Track != p.Track {
		in.Track, changed = &p.Track, true
	}
	if cur.Position != p.Position {
		in.Position, changed = &p.Position, true
	}
	phone, err := s.accounts.Phone(ctx, cur.AccountID)
	if err != nil {
		return nil, err
	}
	if phone != p.Phone {
		in.Phone, changed = &p.Phone, true
	}
	idCard := ""
	if cur.IDCardEnc != nil {
		if idCard, err = s.sealer.Open(*cur.IDCardEnc); err != nil {
			return nil, err
		}
	}
	if idCard != p.IDCard {
		in.IDCard, changed = &p.IDCard, true
	}
	if !changed {
		return nil, nil
	}
	return &in, nil
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
