package learner

import (
	"context"
	"io"
	"strconv"

	"github.com/xuefa/xuefa/internal/platform/auth"
)

// Template writes the import template: the header row only, so it imports to nothing. The xlsx
// form explains each column in a header comment and on a 说明 sheet (with an example row) and
// lists the actor's units on a 单位 sheet.
func (s *Service) Template(ctx context.Context, actor auth.Actor, format Format, w io.Writer) error {
	dir, err := s.unitDirectory(ctx, actor)
	if err != nil {
		return err
	}
	out, err := newSheetWriter(format, w, dir.list())
	if err != nil {
		return err
	}
	return out.Close()
}

// ExportInput selects what an export writes.
type ExportInput struct {
	List   ListInput // the listing's filters (paging ignored)
	Format Format
	// Reveal writes phones and ID numbers in clear; otherwise they are masked as in every
	// answer, and an import of the file keeps them (masked cells mean "unchanged").
	Reveal bool
}

// Export writes the actor's learners that match the listing's filters in the template's layout
// (so the file imports back unchanged), streaming them from the database a batch at a time.
// Every export is audited before its first row is read, with its filters and whether it
// revealed personal data.
func (s *Service) Export(ctx context.Context, actor auth.Actor, in ExportInput, w io.Writer) error {
	f, err := s.filter(ctx, actor, in.List)
	if err != nil {
		return err
	}
	dir, err := s.unitDirectory(ctx, actor)
	if err != nil {
		return err
	}
	if err := s.record(ctx, actor, "learner.export", 0, map[string]any{"format": in.Format, "reveal": in.Reveal,
		"unit_id": in.List.UnitID, "track": in.List.Track, "status": in.List.Status, "name": in.List.Name}); err != nil {
		return err
	}
	out, err := newSheetWriter(in.Format, w, dir.list())
	if err != nil {
		return err
	}
	err = s.store.Each(ctx, f, func(rows []Row) error {
		ids := make([]int64, 0, len(rows))
		for _, r := range rows {
			ids = append(ids, r.AccountID)
		}
		phones, err := s.phonesFor(ctx, ids, in.Reveal)
		if err != nil {
			return err
		}
		for _, r := range rows {
			idCard, err := s.idCardFor(r.Learner, in.Reveal)
			if err != nil {
				return err
			}
			// In sheetColumns order: 姓名, 单位, 学习类别, 职务, 手机号, 身份证号, 学员编号.
			if err := out.Row([]string{r.Name, dir.pathName[r.UnitID], r.Track.Label(), r.Position,
				phones[r.AccountID], idCard, strconv.FormatInt(r.ID, 10)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		out.Abort()
		return err
	}
	return out.Close()
}

func (s *Service) phonesFor(ctx context.Context, accountIDs []int64, reveal bool) (map[int64]string, error) {
	if reveal {
		return s.accounts.Phones(ctx, accountIDs)
	}
	return s.accounts.MaskedPhones(ctx, accountIDs)
}

func (s *Service) idCardFor(l Learner, reveal bool) (string, error) {
	if !reveal {
		return s.MaskedIDCard(l), nil
	}
	if l.IDCardEnc == nil {
		return "", nil
	}
	return s.sealer.Open(*l.IDCardEnc)
}
