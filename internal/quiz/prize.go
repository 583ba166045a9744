package quiz

import (
	"context"
	"errors"
	"strings"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/crypto"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// ClaimInput is where a winner wants the prize sent.
type ClaimInput struct {
	Name    string
	Phone   string
	Address string
}

// Contact is a claim's details, opened or masked.
type Contact struct {
	Name    string
	Phone   string
	Address string
}

// PrizeRow is an award with its status at read time and its claim contact (masked unless the
// caller asked for it opened).
type PrizeRow struct {
	AwardRow
	Status  AwardStatus
	Contact *Contact
}

// MyPrizes lists the actor's prizes, newest first.
func (s *Service) MyPrizes(ctx context.Context, actor auth.Actor) ([]PrizeRow, error) {
	rows, err := s.Store.AccountAwards(ctx, actor.AccountID)
	if err != nil {
		return nil, err
	}
	return s.prizeRows(rows, false)
}

// RoundPrizes lists a round's awards for its admin, contacts masked.
func (s *Service) RoundPrizes(ctx context.Context, actor auth.Actor, roundID int64) ([]PrizeRow, error) {
	if _, _, err := s.adminRound(ctx, actor, roundID); err != nil {
		return nil, err
	}
	rows, err := s.Store.RoundAwards(ctx, roundID)
	if err != nil {
		return nil, err
	}
	return s.prizeRows(rows, false)
}

// ExportPrizes lists a round's awards with contacts opened, for delivery; the export is audited.
func (s *Service) ExportPrizes(ctx context.Context, actor auth.Actor, roundID int64) ([]PrizeRow, error) {
	if _, _, err := s.adminRound(ctx, actor, roundID); err != nil {
		return nil, err
	}
	rows, err := s.Store.RoundAwards(ctx, roundID)
	if err != nil {
		return nil, err
	}
	if err := s.record(ctx, actor, "quiz_prize.export", "quiz_round", roundID, map[string]any{"rows": len(rows)}); err != nil {
		return nil, err
	}
	return s.prizeRows(rows, true)
}

func (s *Service) prizeRows(rows []AwardRow, open bool) ([]PrizeRow, error) {
	now := s.Now()
	out := make([]PrizeRow, len(rows))
	for i, r := range rows {
		out[i] = PrizeRow{AwardRow: r, Status: r.StatusAt(now)}
		if r.Status != AwardClaimed {
			continue
		}
		c, err := s.openContact(r.Award)
		if err != nil {
			return nil, err
		}
		if !open {
			c = Contact{Name: MaskName(c.Name), Phone: crypto.MaskPhone(c.Phone), Address: maskAddress(c.Address)}
		}
		out[i].Contact = &c
	}
	return out, nil
}

func (s *Service) openContact(a Award) (Contact, error) {
	var c Contact
	var err error
	for _, f := range []struct {
		dst *string
		src string
	}{{&c.Name, a.NameEnc}, {&c.Phone, a.PhoneEnc}, {&c.Address, a.AddressEnc}} {
		if *f.dst, err = s.Sealer.Open(f.src); err != nil {
			return c, err
		}
	}
	return c, nil
}

// maskAddress keeps the first six characters (the district) and hides the rest.
func maskAddress(a string) string {
	r := []rune(a)
	if len(r) <= 6 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:6]) + "****"
}

// Claim claims one of the actor's prizes: the contact is sealed at rest and one unit of stock
// is taken (never below zero). Repeating the claim with the same Idempotency-Key returns the
// first result; any other second claim is 409.
func (s *Service) Claim(ctx context.Context, actor auth.Actor, awardID int64, key string, in ClaimInput) (*PrizeRow, error) {
	in.Name, in.Phone, in.Address = strings.TrimSpace(in.Name), strings.TrimSpace(in.Phone), strings.TrimSpace(in.Address)
	var expired bool
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		expired = false
		a, err := s.Store.AwardForUpdate(ctx, awardID)
		if errors.Is(err, ErrNotFound) || (err == nil && a.AccountID != actor.AccountID) {
			return errPrizeNotFound
		}
		if err != nil {
			return err
		}
		now := s.Now()
		switch a.StatusAt(now) {
		case AwardClaimed:
			if key != "" && key == a.IdempotencyKey {
				return nil
			}
			return errPrizeClaimed
		case AwardExpired:
			expired = true
			return s.Store.Expire(ctx, a.ID)
		}
		ok, err := s.Store.TakeStock(ctx, a.PrizeID)
		if err != nil || !ok {
			return firstErr(err, errOutOfStock)
		}
		sealed := make([]string, 3)
		for i, v := range []string{in.Name, in.Phone, in.Address} {
			if sealed[i], err = s.Sealer.Seal(v); err != nil {
				return err
			}
		}
		return s.Store.Claim(ctx, a.ID, sealed[0], sealed[1], sealed[2], key, now)
	})
	if err != nil {
		return nil, err
	}
	if expired {
		return nil, errPrizeExpired
	}
	row, err := s.Store.AwardRowByID(ctx, awardID)
	if err != nil {
		return nil, err
	}
	out, err := s.prizeRows([]AwardRow{*row}, false)
	if err != nil {
		return nil, err
	}
	return &out[0], nil
}
