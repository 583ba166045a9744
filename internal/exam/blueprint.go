package exam

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// Checking an exam's blueprint: its sections as written (on create and replace) and, at
// publish, that the banks visible at the exam's unit can supply every section.

// checkBlueprint checks an exam's stored blueprint against the banks.
func (s *Service) checkBlueprint(ctx context.Context, r *Row) error {
	sections, err := s.Store.Sections(ctx, r.ID)
	if err != nil {
		return err
	}
	return s.checkSupply(ctx, r, sections)
}

// checkBlueprints validates the per-track sections: one blueprint per audience track at most
// once, each section either a fixed list or a pool (bank and/or tag, type, difficulty range)
// from banks visible at the exam's unit, and a pass score every track can reach.
func (s *Service) checkBlueprints(ctx context.Context, unitPath string, in Input, bad func(string, string)) []Section {
	var out []Section
	seen := map[string]bool{}
	audience := in.AudienceTracks
	if len(audience) == 0 {
		audience = Tracks
	}
	for i, b := range in.Blueprints {
		at := fmt.Sprintf("blueprints[%d]", i)
		if seen[b.Track] {
			bad(at+".track", "每个类别只能有一份组卷方案")
		}
		seen[b.Track] = true
		if !slices.Contains(audience, b.Track) {
			bad(at+".track", "不在考试的参考类别中")
		}
		var full float64
		for j, sec := range b.Sections {
			out = append(out, s.checkSection(ctx, unitPath, fmt.Sprintf("%s.sections[%d]", at, j), b.Track, j+1, sec, bad))
			full += sec.Points * float64(sectionCount(sec))
		}
		if in.PassScore > full {
			bad("pass_score", fmt.Sprintf("超过了 %s 类试卷的满分 %g", b.Track, full))
		}
	}
	return out
}

func sectionCount(sec SectionInput) int {
	if len(sec.QuestionIDs) > 0 {
		return len(sec.QuestionIDs)
	}
	return sec.Count
}

func (s *Service) checkSection(ctx context.Context, unitPath, at, track string, pos int, in SectionInput, bad func(string, string)) Section {
	sec := Section{Track: track, Position: pos, Title: strings.TrimSpace(in.Title), BankID: in.BankID, Tag: strings.TrimSpace(in.Tag),
		Type: in.Type, Count: sectionCount(in), Points: in.Points, DifficultyMin: in.DifficultyMin, DifficultyMax: in.DifficultyMax,
		QuestionIDs: joinIDs(in.QuestionIDs)}
	if sec.DifficultyMin == 0 {
		sec.DifficultyMin = 1
	}
	if sec.DifficultyMax == 0 {
		sec.DifficultyMax = 5
	}
	if sec.DifficultyMin > sec.DifficultyMax {
		bad(at+".difficulty_max", "不能小于 difficulty_min")
	}
	if len(in.QuestionIDs) > 0 {
		sec.BankID, sec.Tag, sec.Type = nil, "", ""
		banks, err := s.Store.FixedQuestionBanks(ctx, in.QuestionIDs)
		for k, id := range in.QuestionIDs {
			if err != nil || !s.bankUsable(ctx, unitPath, banks[id]) || slices.Contains(in.QuestionIDs[:k], id) {
				bad(fmt.Sprintf("%s.question_ids[%d]", at, k), "题目不存在、重复，或所在题库不可用")
			}
		}
		return sec
	}
	if in.Count < 1 {
		bad(at+".count", "必填，至少 1")
	}
	if !slices.Contains(questionTypes, in.Type) {
		bad(at+".type", "取值必须是以下之一: single multiple judge fill")
	}
	if in.BankID == nil && sec.Tag == "" {
		bad(at+".bank_id", "须指定题库或标签（或固定题目）")
	}
	if in.BankID != nil && !s.bankUsable(ctx, unitPath, *in.BankID) {
		bad(at+".bank_id", "题库不存在，或不是考试所属单位可用的题库")
	}
	return sec
}

// bankUsable reports whether an exam owned at unitPath may draw from a bank: the bank's unit is
// the exam's unit, one of its ancestors, or one of its descendants.
func (s *Service) bankUsable(ctx context.Context, unitPath string, bankID int64) bool {
	if bankID == 0 {
		return false
	}
	p, err := s.Store.BankPath(ctx, bankID)
	return err == nil && (strings.HasPrefix(unitPath, p) || strings.HasPrefix(p, unitPath))
}

// pool says where a section of an exam owned at unitPath draws from.
func (s *Service) pool(ctx context.Context, unitPath string, sec Section) (Pool, error) {
	p := Pool{Tag: sec.Tag, Type: sec.Type, DifficultyMin: sec.DifficultyMin, DifficultyMax: sec.DifficultyMax}
	if sec.BankID != nil {
		p.BankIDs = []int64{*sec.BankID}
		return p, nil
	}
	ids, err := s.Store.BanksUnder(ctx, questionbank.AncestorPaths(unitPath))
	p.BankIDs = ids
	return p, err
}

// checkSupply makes sure every audience track has a blueprint and every section enough
// published questions (422 exam.blueprint_insufficient naming the sections short of them).
func (s *Service) checkSupply(ctx context.Context, r *Row, sections []Section) error {
	var fields []apperr.FieldError
	byTrack := map[string]int{}
	for _, sec := range sections {
		byTrack[sec.Track]++
		at := fmt.Sprintf("blueprints[%s].sections[%d]", sec.Track, sec.Position)
		if ids := sec.fixed(); len(ids) > 0 {
			got, err := s.Store.FixedQuestions(ctx, ids)
			if err != nil {
				return err
			}
			if len(got) < len(ids) {
				fields = append(fields, apperr.Field(at+".question_ids", fmt.Sprintf("有 %d 道题未发布或已停用", len(ids)-len(got))))
			}
			continue
		}
		p, err := s.pool(ctx, r.UnitPath, sec)
		if err != nil {
			return err
		}
		n, err := s.Store.CountPool(ctx, p)
		if err != nil {
			return err
		}
		if n < int64(sec.Count) {
			fields = append(fields, apperr.Field(at+".count", fmt.Sprintf("需要 %d 道，符合条件的已发布题目只有 %d 道", sec.Count, n)))
		}
	}
	for _, t := range r.audienceTracks() {
		if byTrack[t] == 0 {
			fields = append(fields, apperr.Field("blueprints", "缺少 "+t+" 类别的组卷方案"))
		}
	}
	if len(fields) > 0 {
		return apperr.Invalid("exam.blueprint_insufficient", "组卷方案无法满足：题目不足或缺少方案", fields...)
	}
	return nil
}
