package exam

import (
	"context"
	"math/rand/v2"
)

// draw builds one paper from a track's sections: each section's questions are picked at random
// from its pool (or taken from its fixed list), never twice in one paper; questions are
// shuffled within their section and options within their question when the exam says so. The
// version of each question and its option order are frozen in the returned items.
func (s *Service) draw(ctx context.Context, r *Row, sections []Section) ([]Item, error) {
	var items []Item
	used := map[int64]bool{}
	for _, sec := range sections {
		chosen, err := s.pick(ctx, r, sec, used)
		if err != nil {
			return nil, err
		}
		if r.ShuffleQuestions {
			rand.Shuffle(len(chosen), func(i, j int) { chosen[i], chosen[j] = chosen[j], chosen[i] })
		}
		for _, p := range chosen {
			used[p.QuestionID] = true
			items = append(items, Item{QuestionID: p.QuestionID, Version: p.Version, Type: p.Type, Section: sec.Position, Points: sec.Points})
		}
	}
	if len(items) == 0 {
		return nil, errPaperUnavailable
	}
	if err := s.orderOptions(ctx, r.ShuffleOptions, items); err != nil {
		return nil, err
	}
	for i := range items {
		items[i].Position = i + 1
	}
	return items, nil
}

// pick chooses a section's questions, leaving out those already in the paper.
func (s *Service) pick(ctx context.Context, r *Row, sec Section, used map[int64]bool) ([]Pick, error) {
	if ids := sec.fixed(); len(ids) > 0 {
		got, err := s.Store.FixedQuestions(ctx, ids)
		if err != nil {
			return nil, err
		}
		byID := make(map[int64]Pick, len(got))
		for _, p := range got {
			byID[p.QuestionID] = p
		}
		out := make([]Pick, 0, len(ids))
		for _, id := range ids {
			p, ok := byID[id]
			if !ok || used[id] {
				return nil, errPaperUnavailable
			}
			out = append(out, p)
		}
		return out, nil
	}
	p, err := s.pool(ctx, r.UnitPath, sec)
	if err != nil {
		return nil, err
	}
	pool, err := s.poolQuestions(ctx, p)
	if err != nil {
		return nil, err
	}
	free := make([]Pick, 0, len(pool)) // the pool is shared: sample from a copy
	for _, q := range pool {
		if !used[q.QuestionID] {
			free = append(free, q)
		}
	}
	if len(free) < sec.Count {
		return nil, errPaperUnavailable
	}
	// A partial Fisher–Yates shuffle: the first Count entries are a uniform random sample.
	for i := 0; i < sec.Count; i++ {
		j := i + rand.IntN(len(free)-i)
		free[i], free[j] = free[j], free[i]
	}
	return append([]Pick(nil), free[:sec.Count]...), nil
}

// orderOptions freezes the option order of every choice question: the version's letters in the
// order shown ("CADB"), shuffled when asked.
func (s *Service) orderOptions(ctx context.Context, shuffle bool, items []Item) error {
	var choice []Pick
	for _, it := range items {
		if isChoice(it.Type) {
			choice = append(choice, Pick{QuestionID: it.QuestionID, Version: it.Version, Type: it.Type})
		}
	}
	counts, err := s.optionCounts(ctx, choice)
	if err != nil {
		return err
	}
	for i, it := range items {
		if !isChoice(it.Type) {
			continue
		}
		n, ok := counts[Pick{QuestionID: it.QuestionID, Version: it.Version, Type: it.Type}]
		if !ok || n == 0 {
			return errPaperUnavailable
		}
		order := make([]byte, n)
		for k := range order {
			order[k] = byte('A' + k)
		}
		if shuffle {
			rand.Shuffle(n, func(a, b int) { order[a], order[b] = order[b], order[a] })
		}
		items[i].OptionOrder = string(order)
	}
	return nil
}

func isChoice(t string) bool { return t == "single" || t == "multiple" }
