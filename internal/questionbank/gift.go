package questionbank

import (
	"math"
	"strconv"
	"strings"
)

// GIFT is Moodle's plain-text question format, the one teachers exchange. No maintained Go
// library reads it, so this is a small hand-written parser for the forms a law bank needs:
//
//	// a comment line
//	::title:: stem {=right ~wrong ~wrong}         single choice
//	stem {~%50%right ~%50%right ~%-100%wrong}     multiple choice (positive weights are right)
//	stem {T}  stem {FALSE}                        true/false
//	stem {=answer =other answer}                  short answer (a fill question)
//	text before {=answer} text after              missing word (the block becomes a blank)
//
// Questions are separated by blank lines. \~ \= \# \{ \} \: \\ escape those characters and
// \n is a line break. Per-answer feedback (#...) is dropped; general feedback (####...) becomes
// the analysis. Titles, $CATEGORY lines and [html]/[moodle]/[plain]/[markdown] markers are
// ignored. Matching, numerical and essay questions are reported as unsupported.

// GIFTQuestion is one parsed question and the line it starts on.
type GIFTQuestion struct {
	Line  int
	Input Input
}

// GIFTError is a problem with the question starting (or the block opening) at Line.
type GIFTError struct {
	Line    int
	Message string
}

// ParseGIFT parses GIFT text. It never stops at the first bad question: every question is
// either returned or reported with its line number.
func ParseGIFT(src string) ([]GIFTQuestion, []GIFTError) {
	src = strings.TrimPrefix(src, "\uFEFF")
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")

	var questions []GIFTQuestion
	var errs []GIFTError
	var lines []string
	var lineNos []int
	flush := func() {
		if len(lines) == 0 {
			return
		}
		q, err := parseGIFTQuestion(lines, lineNos)
		if err != nil {
			errs = append(errs, *err)
		} else {
			questions = append(questions, q)
		}
		lines, lineNos = nil, nil
	}
	for i, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "//"):
			continue
		case trimmed == "":
			flush()
		case len(lines) == 0 && strings.HasPrefix(trimmed, "$CATEGORY:"):
			continue
		default:
			lines = append(lines, line)
			lineNos = append(lineNos, i+1)
		}
	}
	flush()
	return questions, errs
}

// giftText is one question's text with the line number of each rune's line.
type giftText struct {
	r       []rune
	lineNos []int // line number of each line of r
}

// lineAt is the source line of rune offset i.
func (t giftText) lineAt(i int) int {
	n := 0
	for j := 0; j < i && j < len(t.r); j++ {
		if t.r[j] == '\n' {
			n++
		}
	}
	if n >= len(t.lineNos) {
		n = len(t.lineNos) - 1
	}
	return t.lineNos[n]
}

// find returns the offset of the first unescaped occurrence of target at or after from, or -1.
func (t giftText) find(from int, target string) int {
	return findUnescaped(t.r, from, target)
}

func findUnescaped(r []rune, from int, target string) int {
	tr := []rune(target)
	for i := max(from, 0); i < len(r); i++ {
		if r[i] == '\\' {
			i++ // skip the escaped rune
			continue
		}
		if hasRunesAt(r, i, tr) {
			return i
		}
	}
	return -1
}

func hasRunesAt(r []rune, i int, target []rune) bool {
	if i+len(target) > len(r) {
		return false
	}
	for k, c := range target {
		if r[i+k] != c {
			return false
		}
	}
	return true
}

// giftUnescape resolves \~ \= \# \{ \} \: \\ and \n; any other backslash stays as written.
func giftUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	r := []rune(s)
	for i := 0; i < len(r); i++ {
		if r[i] == '\\' && i+1 < len(r) {
			switch r[i+1] {
			case '~', '=', '#', '{', '}', ':', '\\':
				b.WriteRune(r[i+1])
				i++
				continue
			case 'n':
				b.WriteRune('\n')
				i++
				continue
			}
		}
		b.WriteRune(r[i])
	}
	return b.String()
}

func parseGIFTQuestion(lines []string, lineNos []int) (GIFTQuestion, *GIFTError) {
	t := giftText{r: []rune(strings.Join(lines, "\n")), lineNos: lineNos}
	first := lineNos[0]
	fail := func(line int, msg string) (GIFTQuestion, *GIFTError) {
		return GIFTQuestion{}, &GIFTError{Line: line, Message: msg}
	}

	start := 0
	for start < len(t.r) && isSpace(t.r[start]) {
		start++
	}
	if hasRunesAt(t.r, start, []rune("::")) {
		end := t.find(start+2, "::")
		if end < 0 {
			return fail(first, "标题缺少结尾的 ::")
		}
		start = end + 2
	}
	open := t.find(start, "{")
	if open < 0 {
		return fail(first, "缺少答案块 {…}")
	}
	closing := t.find(open+1, "}")
	if nested := t.find(open+1, "{"); nested >= 0 && (closing < 0 || nested < closing) {
		return fail(t.lineAt(nested), "答案块中有未转义的 {（文字中的 { 请写作 \\{）")
	}
	if closing < 0 {
		return fail(t.lineAt(open), "答案块缺少结尾的 }")
	}
	if extra := t.find(closing+1, "{"); extra >= 0 {
		return fail(t.lineAt(extra), "一道题只能有一个答案块（文字中的 { 请写作 \\{）")
	}
	if stray := t.find(closing+1, "}"); stray >= 0 {
		return fail(t.lineAt(stray), "多余的 }（文字中的 } 请写作 \\}）")
	}
	if stray := t.find(start, "}"); stray >= 0 && stray < open {
		return fail(t.lineAt(stray), "多余的 }（文字中的 } 请写作 \\}）")
	}

	before := stripFormatMarker(strings.TrimSpace(string(t.r[start:open])))
	after := strings.TrimSpace(string(t.r[closing+1:]))
	in, msg := parseGIFTBlock(t.r[open+1 : closing])
	if msg != "" {
		return fail(t.lineAt(open), msg)
	}
	stem := giftUnescape(before)
	if after != "" {
		blank := "（ ）"
		if in.Type == TypeFill {
			blank = "____"
		}
		stem = strings.TrimSpace(stem + blank + giftUnescape(after))
	}
	if strings.TrimSpace(stem) == "" {
		return fail(first, "题干为空")
	}
	in.Stem = stem
	return GIFTQuestion{Line: first, Input: in}, nil
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\u3000' }

// stripFormatMarker removes a leading [html], [moodle], [plain] or [markdown].
func stripFormatMarker(s string) string {
	for _, m := range []string{"[html]", "[moodle]", "[plain]", "[markdown]"} {
		if len(s) >= len(m) && strings.EqualFold(s[:len(m)], m) {
			return strings.TrimSpace(s[len(m):])
		}
	}
	return s
}

type giftAnswer struct {
	right     bool // marked with =
	weight    float64
	hasWeight bool
	text      string
}

// parseGIFTBlock reads the inside of {…} into a question's type, options and answer (the stem
// is filled by the caller), or says what is wrong.
func parseGIFTBlock(block []rune) (Input, string) {
	in := Input{}
	if fb := findUnescaped(block, 0, "####"); fb >= 0 {
		in.Analysis = strings.TrimSpace(giftUnescape(string(block[fb+4:])))
		block = block[:fb]
	}
	body := strings.TrimSpace(string(block))
	switch {
	case body == "":
		return in, "不支持论述题（答案块为空）"
	case strings.HasPrefix(body, "#"):
		return in, "不支持数值题（{#…}）"
	}
	head := body
	if h := findUnescaped([]rune(body), 0, "#"); h >= 0 {
		head = string([]rune(body)[:h])
	}
	switch strings.ToUpper(strings.TrimSpace(head)) {
	case "T", "TRUE":
		in.Type, in.Answer = TypeJudge, "true"
		return in, ""
	case "F", "FALSE":
		in.Type, in.Answer = TypeJudge, "false"
		return in, ""
	}

	answers, msg := splitGIFTAnswers([]rune(body))
	if msg != "" {
		return in, msg
	}
	tilde := false
	for _, a := range answers {
		tilde = tilde || !a.right
	}
	if !tilde {
		// Only "=" answers: short answer. Partial-credit alternatives are not accepted answers.
		var accepted []string
		for _, a := range answers {
			if a.hasWeight && a.weight != 100 {
				continue
			}
			if strings.ContainsAny(a.text, "|｜") {
				return in, "填空题答案不能包含 |"
			}
			accepted = append(accepted, a.text)
		}
		if len(accepted) == 0 {
			return in, "填空题没有满分答案"
		}
		in.Type, in.Answer = TypeFill, strings.Join(accepted, FillSeparator)
		return in, ""
	}
	equals := 0
	var key strings.Builder
	for i, a := range answers {
		in.Options = append(in.Options, a.text)
		if a.right {
			equals++
		}
		if a.right || (a.hasWeight && a.weight > 0) {
			if i >= MaxOptions {
				return in, "选项不能超过 8 个"
			}
			key.WriteString(Letter(i))
		}
	}
	switch {
	case equals > 1:
		return in, "选择题只能有一个 = 答案；多选题请用 ~%50% 这样的正权重标出每个正确选项"
	case key.Len() == 0:
		return in, "选择题没有正确答案（用 = 或正权重 ~%50% 标出）"
	case key.Len() == 1:
		in.Type = TypeSingle
	default:
		in.Type = TypeMultiple
	}
	in.Answer = key.String()
	return in, ""
}

// splitGIFTAnswers splits a block body at unescaped = and ~ into answers with their weights,
// dropping per-answer feedback.
func splitGIFTAnswers(body []rune) ([]giftAnswer, string) {
	var answers []giftAnswer
	var starts []int
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '\\':
			i++
		case '=', '~':
			starts = append(starts, i)
		default:
			if len(starts) == 0 && !isSpace(body[i]) {
				return nil, "答案块格式错误：每个答案应以 = 或 ~ 开头"
			}
		}
	}
	for k, s := range starts {
		end := len(body)
		if k+1 < len(starts) {
			end = starts[k+1]
		}
		raw := body[s+1 : end]
		if fb := findUnescaped(raw, 0, "#"); fb >= 0 {
			raw = raw[:fb]
		}
		text := strings.TrimSpace(string(raw))
		a := giftAnswer{right: body[s] == '='}
		if strings.HasPrefix(text, "%") {
			end := strings.Index(text[1:], "%")
			if end < 0 {
				return nil, "答案权重格式错误，应为 %50% 这样的形式"
			}
			w, err := strconv.ParseFloat(text[1:1+end], 64)
			if err != nil || math.IsNaN(w) || w < -100 || w > 100 {
				return nil, "答案权重格式错误，应为 -100 到 100 之间的数，如 %50%"
			}
			a.weight, a.hasWeight = w, true
			text = strings.TrimSpace(text[end+2:])
		}
		if strings.Contains(text, "->") {
			return nil, "不支持配对题（->）"
		}
		a.text = strings.TrimSpace(giftUnescape(text))
		if a.text == "" {
			return nil, "答案内容为空"
		}
		answers = append(answers, a)
	}
	if len(answers) == 0 {
		return nil, "答案块中没有答案"
	}
	return answers, ""
}
