package questionbank

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Limits on question content (in characters, not bytes).
const (
	MaxStemRunes     = 2000
	MaxOptionRunes   = 500
	MinOptions       = 2
	MaxOptions       = 8
	MaxAnalysisRunes = 5000
	MaxLawNameRunes  = 100
	MaxArticleRunes  = 64
	MaxTags          = 10
	MaxTagRunes      = 32
	MaxFillRunes     = 200
	MaxFillAnswers   = 10
)

// FillSeparator separates the accepted answers of a fill question (API, import and export).
const FillSeparator = "|"

// Letter is the option letter of index i (0 → "A").
func Letter(i int) string { return string(rune('A' + i)) }

// StemHash is the key of duplicate detection: the stem in NFKC, lower case, with white space
// and punctuation removed ("宪法是（ ）。" and "宪法是()" are the same stem), hashed.
func StemHash(stem string) string {
	sum := sha256.Sum256([]byte(stripForCompare(stem, true)))
	return hex.EncodeToString(sum[:])
}

// stripForCompare folds width and case and drops white space (and punctuation when asked).
func stripForCompare(s string, dropPunct bool) string {
	s = strings.ToLower(norm.NFKC.String(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsSpace(r) || (dropPunct && unicode.IsPunct(r)) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// judgeWords maps accepted spellings of true/false (API, Excel/CSV 对/错, √/×, T/F) to the
// canonical "true"/"false".
var judgeWords = map[string]string{
	"true": "true", "t": "true", "对": "true", "正确": "true", "√": "true", "✓": "true", "✔": "true", "yes": "true", "是": "true", "1": "true",
	"false": "false", "f": "false", "错": "false", "错误": "false", "×": "false", "✗": "false", "✘": "false", "x": "false", "no": "false", "否": "false", "0": "false",
}

// NormaliseJudge returns "true"/"false" for an accepted spelling, ok false otherwise.
func NormaliseJudge(raw string) (string, bool) {
	v, ok := judgeWords[strings.ToLower(strings.TrimSpace(norm.NFKC.String(raw)))]
	return v, ok
}

// letters parses option letters ("ac", "A,C", "C、A") into sorted, distinct upper-case
// letters; ok is false on anything but letters A–H and separators.
func letters(raw string) (string, bool) {
	var set []rune
	for _, r := range norm.NFKC.String(raw) {
		switch {
		case unicode.IsSpace(r) || strings.ContainsRune(",，、;；/", r):
			continue
		case r >= 'a' && r <= 'h':
			r -= 'a' - 'A'
		case r >= 'A' && r <= 'H':
		default:
			return "", false
		}
		if !slices.Contains(set, r) {
			set = append(set, r)
		}
	}
	slices.Sort(set)
	return string(set), len(set) > 0
}

// fillAnswers splits accepted fill answers ("a|b"), trimmed, without empties or repeats.
func fillAnswers(raw string) []string {
	var out []string
	for _, a := range strings.FieldsFunc(raw, func(r rune) bool { return r == '|' || r == '｜' }) {
		a = strings.TrimSpace(a)
		if a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// normaliseKey turns an answer key as an admin wrote it into its canonical form for a question
// of type t with nOptions options, or returns a message saying what is wrong.
func normaliseKey(t Type, raw string, nOptions int) (string, string) {
	if strings.TrimSpace(raw) == "" {
		return "", "必填"
	}
	switch t {
	case TypeSingle, TypeMultiple:
		key, ok := letters(raw)
		if !ok {
			return "", "应为选项字母，如 A 或 AC"
		}
		if t == TypeSingle && len(key) != 1 {
			return "", "单选题只能有一个正确选项"
		}
		if t == TypeMultiple && len(key) < 2 {
			return "", "多选题至少要有两个正确选项"
		}
		if last := int(key[len(key)-1] - 'A'); last >= nOptions {
			return "", "答案 " + Letter(last) + " 不在选项中"
		}
		return key, ""
	case TypeJudge:
		v, ok := NormaliseJudge(raw)
		if !ok {
			return "", "判断题答案应为 对/错（或 √/×、T/F、true/false）"
		}
		return v, ""
	case TypeFill:
		answers := fillAnswers(raw)
		switch {
		case len(answers) == 0:
			return "", "填空题至少要有一个答案"
		case len(answers) > MaxFillAnswers:
			return "", "可接受答案不能超过 10 个"
		}
		for _, a := range answers {
			if utf8.RuneCountInString(a) > MaxFillRunes {
				return "", "每个答案不能超过 200 字"
			}
		}
		return strings.Join(answers, FillSeparator), ""
	}
	return "", "题型无效"
}

// NormaliseResponse turns a learner's answer into the canonical form compared with the key,
// or returns a message saying why it cannot be an answer to c.
func NormaliseResponse(c Content, raw string) (string, string) {
	if strings.TrimSpace(raw) == "" {
		return "", "必填"
	}
	switch c.Type {
	case TypeSingle, TypeMultiple:
		got, ok := letters(raw)
		if !ok {
			return "", "应为选项字母，如 A 或 AC"
		}
		if c.Type == TypeSingle && len(got) != 1 {
			return "", "单选题只能选一个选项"
		}
		if last := int(got[len(got)-1] - 'A'); last >= len(c.Options) {
			return "", "选项 " + Letter(last) + " 不存在"
		}
		return got, ""
	case TypeJudge:
		v, ok := NormaliseJudge(raw)
		if !ok {
			return "", "应为 true 或 false（对/错）"
		}
		return v, ""
	case TypeFill:
		got := strings.TrimSpace(raw)
		if utf8.RuneCountInString(got) > MaxFillRunes {
			return "", "不能超过 200 字"
		}
		return got, ""
	}
	return "", "题型无效"
}

// IsCorrect compares a normalised response with the key of c. Fill answers match any
// accepted answer ignoring case, width and white space.
func IsCorrect(c Content, response string) bool {
	if c.Type != TypeFill {
		return response == c.Answer
	}
	got := stripForCompare(response, false)
	for _, accepted := range strings.Split(c.Answer, FillSeparator) {
		if got == stripForCompare(accepted, false) {
			return true
		}
	}
	return false
}

// JudgeLabel is the Chinese spelling used in exports ("对"/"错").
func JudgeLabel(key string) string {
	if key == "true" {
		return "对"
	}
	return "错"
}
