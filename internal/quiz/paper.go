package quiz

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/xuefa/xuefa/internal/questionbank"
)

// PaperItem is one question as served in a play: its version and the option order shown
// (Order[i] is the original index of the option shown at position i).
type PaperItem struct {
	QuestionID int64 `json:"q"`
	Version    int   `json:"v"`
	Order      []int `json:"o,omitempty"`
}

// Paper is the questions of a play in the order served, stored as JSON.
type Paper []PaperItem

// Value stores the paper as JSON.
func (p Paper) Value() (driver.Value, error) { return jsonValue(p) }

// Scan reads the paper back.
func (p *Paper) Scan(src any) error { return jsonScan(src, p) }

// Answers are a submitted play's answers, one per paper item in the option letters shown and
// normalised ("" when unanswered), stored as JSON.
type Answers []string

// Value stores the answers as JSON.
func (a Answers) Value() (driver.Value, error) {
	if a == nil {
		a = Answers{}
	}
	return jsonValue(a)
}

// Scan reads the answers back.
func (a *Answers) Scan(src any) error { return jsonScan(src, a) }

func jsonValue(v any) (driver.Value, error) {
	raw, err := json.Marshal(v)
	return string(raw), err
}

func jsonScan(src any, dst any) error {
	var raw []byte
	switch v := src.(type) {
	case string:
		raw = []byte(v)
	case []byte:
		raw = v
	case nil:
		return nil
	default:
		return fmt.Errorf("quiz: cannot scan %T", src)
	}
	if len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, dst)
}

// PoolQuestion is a question of a round's pool with the content of the frozen version.
type PoolQuestion struct {
	QuestionID int64
	Version    int
	questionbank.Content
}

// Pool is a round's questions, by question id, in pool order.
type Pool struct {
	List []PoolQuestion
	byID map[int64]*PoolQuestion
}

func newPool(list []PoolQuestion) *Pool {
	p := &Pool{List: list, byID: make(map[int64]*PoolQuestion, len(list))}
	for i := range list {
		p.byID[list[i].QuestionID] = &p.List[i]
	}
	return p
}

// Get returns a pool question by id.
func (p *Pool) Get(id int64) *PoolQuestion { return p.byID[id] }

// drawPaper picks the questions of one play: the whole fixed set in its order, or n questions
// of the pool at random; choice options are shuffled per play.
func drawPaper(pool *Pool, n int, fixed bool) Paper {
	idx := make([]int, len(pool.List))
	for i := range idx {
		idx[i] = i
	}
	if !fixed {
		rand.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	}
	n = min(n, len(idx))
	out := make(Paper, n)
	for i, k := range idx[:n] {
		q := pool.List[k]
		item := PaperItem{QuestionID: q.QuestionID, Version: q.Version}
		if q.Type.IsChoice() {
			item.Order = rand.Perm(len(q.Options))
		}
		out[i] = item
	}
	return out
}

// shownOptions are the options in the order the play shows them.
func shownOptions(q *PoolQuestion, it PaperItem) []string {
	if len(it.Order) == 0 {
		return append([]string{}, q.Options...)
	}
	out := make([]string, len(it.Order))
	for i, orig := range it.Order {
		out[i] = q.Options[orig]
	}
	return out
}

// toOriginal maps letters as shown to the letters of the stored key ("BD" → "AC").
func toOriginal(it PaperItem, shown string) string {
	if len(it.Order) == 0 {
		return shown
	}
	out := make([]string, 0, len(shown))
	for _, r := range shown {
		out = append(out, questionbank.Letter(it.Order[int(r-'A')]))
	}
	slices.Sort(out)
	return strings.Join(out, "")
}

// toShown maps the stored key's letters to the letters the play showed.
func toShown(it PaperItem, key string) string {
	if len(it.Order) == 0 {
		return key
	}
	pos := make(map[int]int, len(it.Order))
	for i, orig := range it.Order {
		pos[orig] = i
	}
	out := make([]string, 0, len(key))
	for _, r := range key {
		out = append(out, questionbank.Letter(pos[int(r-'A')]))
	}
	slices.Sort(out)
	return strings.Join(out, "")
}

// Graded is one graded question of a play.
type Graded struct {
	Index   int
	Item    PaperItem
	Q       *PoolQuestion
	Given   string // as shown, normalised
	Correct bool
}

// grade marks answers (as shown) against the pool's keys.
func grade(pool *Pool, paper Paper, answers Answers) []Graded {
	out := make([]Graded, len(paper))
	for i, it := range paper {
		q := pool.Get(it.QuestionID)
		g := Graded{Index: i, Item: it, Q: q}
		if i < len(answers) {
			g.Given = answers[i]
		}
		if q != nil && g.Given != "" {
			g.Correct = questionbank.IsCorrect(q.Content, toOriginal(it, g.Given))
		}
		out[i] = g
	}
	return out
}
