package questionbank

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuefa/xuefa/internal/platform/apperr"
)

// Input is a question as an admin (or an import row) states it; build checks and normalises it.
type Input struct {
	Type             Type
	Stem             string
	Options          []string
	Answer           string
	Analysis         string
	LawName          string
	LawArticle       string
	LawEffectiveDate string // YYYY-MM-DD or ""
	Difficulty       int    // 1–5; 0 means the default 3
	Tags             []string
	Status           Status // "" means published
}

// DefaultDifficulty applies when none is given.
const DefaultDifficulty = 3

// build validates in and returns the normalised content and status, or the fields at fault
// (named as in the JSON API: stem, options[1], answer, legal_basis.law, ...).
func build(in Input) (Content, Status, []apperr.FieldError) {
	var errs []apperr.FieldError
	bad := func(field, msg string) { errs = append(errs, apperr.Field(field, msg)) }

	c := Content{
		Type: in.Type, Stem: strings.TrimSpace(in.Stem), Analysis: strings.TrimSpace(in.Analysis),
		LawName: strings.TrimSpace(in.LawName), LawArticle: strings.TrimSpace(in.LawArticle),
		LawEffectiveDate: strings.TrimSpace(in.LawEffectiveDate), Difficulty: in.Difficulty, Options: Options{},
	}
	status := in.Status
	if status == "" {
		status = StatusPublished
	}
	if !status.Valid() {
		bad("status", "取值必须是以下之一: draft published retired")
	}
	if !c.Type.Valid() {
		bad("type", "取值必须是以下之一: single multiple judge fill")
	}
	switch n := utf8.RuneCountInString(c.Stem); {
	case n == 0:
		bad("stem", "必填")
	case n > MaxStemRunes:
		bad("stem", fmt.Sprintf("长度不能超过 %d", MaxStemRunes))
	}

	for _, o := range in.Options {
		c.Options = append(c.Options, strings.TrimSpace(o))
	}
	// Trailing empty options (blank Excel cells) are not options.
	for len(c.Options) > 0 && c.Options[len(c.Options)-1] == "" {
		c.Options = c.Options[:len(c.Options)-1]
	}
	optionsOK := true
	if c.Type.IsChoice() {
		switch {
		case len(c.Options) < MinOptions:
			bad("options", fmt.Sprintf("选择题需要 %d 到 %d 个选项", MinOptions, MaxOptions))
			optionsOK = false
		case len(c.Options) > MaxOptions:
			bad("options", fmt.Sprintf("选项不能超过 %d 个", MaxOptions))
			optionsOK = false
		}
		seen := map[string]int{}
		for i, o := range c.Options {
			field := fmt.Sprintf("options[%d]", i)
			switch {
			case o == "":
				bad(field, "选项不能为空")
				optionsOK = false
			case utf8.RuneCountInString(o) > MaxOptionRunes:
				bad(field, fmt.Sprintf("长度不能超过 %d", MaxOptionRunes))
			default:
				key := stripForCompare(o, false)
				if j, dup := seen[key]; dup {
					bad(field, "与选项 "+Letter(j)+" 重复")
				}
				seen[key] = i
			}
		}
	} else if len(c.Options) > 0 && c.Type.Valid() {
		bad("options", "判断题和填空题不能有选项")
		optionsOK = false
	}

	if c.Type.Valid() && optionsOK {
		key, msg := normaliseKey(c.Type, in.Answer, len(c.Options))
		if msg != "" {
			bad("answer", msg)
		}
		c.Answer = key
	}

	if utf8.RuneCountInString(c.Analysis) > MaxAnalysisRunes {
		bad("analysis", fmt.Sprintf("长度不能超过 %d", MaxAnalysisRunes))
	}
	if utf8.RuneCountInString(c.LawName) > MaxLawNameRunes {
		bad("legal_basis.law", fmt.Sprintf("长度不能超过 %d", MaxLawNameRunes))
	}
	if utf8.RuneCountInString(c.LawArticle) > MaxArticleRunes {
		bad("legal_basis.article", fmt.Sprintf("长度不能超过 %d", MaxArticleRunes))
	}
	if c.LawArticle != "" && c.LawName == "" {
		bad("legal_basis.law", "填写了条款时必须填写法律名称")
	}
	if c.LawEffectiveDate != "" {
		if _, err := time.Parse(time.DateOnly, c.LawEffectiveDate); err != nil {
			bad("legal_basis.effective_date", "应为日期，如 2021-01-01")
		}
	}
	if c.Difficulty == 0 {
		c.Difficulty = DefaultDifficulty
	}
	if c.Difficulty < 1 || c.Difficulty > 5 {
		bad("difficulty", "应为 1 到 5")
	}

	var tags []string
	for _, t := range in.Tags {
		t = strings.TrimSpace(t)
		switch {
		case t == "":
			continue
		case strings.ContainsAny(t, ",，|"):
			bad("tags", "标签不能包含逗号或竖线")
		case utf8.RuneCountInString(t) > MaxTagRunes:
			bad("tags", fmt.Sprintf("每个标签不能超过 %d 字", MaxTagRunes))
		}
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	if len(tags) > MaxTags {
		bad("tags", fmt.Sprintf("标签不能超过 %d 个", MaxTags))
	}
	if len(tags) > 0 {
		c.Tags = "," + strings.Join(tags, ",") + ","
	}
	return c, status, errs
}

// inputOf is the Input that states c (used to merge a partial update onto current content).
func inputOf(c Content, s Status) Input {
	return Input{
		Type: c.Type, Stem: c.Stem, Options: append([]string(nil), c.Options...), Answer: c.Answer,
		Analysis: c.Analysis, LawName: c.LawName, LawArticle: c.LawArticle,
		LawEffectiveDate: c.LawEffectiveDate, Difficulty: c.Difficulty, Tags: c.TagList(), Status: s,
	}
}
