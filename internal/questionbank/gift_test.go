package questionbank

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseGIFT(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []GIFTQuestion
	}{
		{
			name: "single choice with title and comment",
			src:  "// 宪法\n::q1:: 我国的根本制度是 {=社会主义制度 ~人民代表大会制度 ~民族区域自治制度}\n",
			want: []GIFTQuestion{{Line: 2, Input: Input{Type: TypeSingle, Stem: "我国的根本制度是",
				Options: []string{"社会主义制度", "人民代表大会制度", "民族区域自治制度"}, Answer: "A"}}},
		},
		{
			name: "multi-line block with feedback and general feedback",
			src:  "行政处罚的种类包括 {\n~%50%罚款#对\n~%50%警告#对\n~%-100%记过#错，这是处分\n####见《行政处罚法》第九条。\n}",
			want: []GIFTQuestion{{Line: 1, Input: Input{Type: TypeMultiple, Stem: "行政处罚的种类包括",
				Options: []string{"罚款", "警告", "记过"}, Answer: "AB", Analysis: "见《行政处罚法》第九条。"}}},
		},
		{
			name: "true and false spellings",
			src:  "宪法是国家的根本法。{T}\n\n宪法可以由国务院修改。{FALSE}\n\n甲 {TRUE}\n\n乙 {f#反馈}",
			want: []GIFTQuestion{
				{Line: 1, Input: Input{Type: TypeJudge, Stem: "宪法是国家的根本法。", Answer: "true"}},
				{Line: 3, Input: Input{Type: TypeJudge, Stem: "宪法可以由国务院修改。", Answer: "false"}},
				{Line: 5, Input: Input{Type: TypeJudge, Stem: "甲", Answer: "true"}},
				{Line: 7, Input: Input{Type: TypeJudge, Stem: "乙", Answer: "false"}},
			},
		},
		{
			name: "short answer with several accepted answers and a partial-credit one dropped",
			src:  "我国的国家机构实行什么原则？{=民主集中制 =民主集中制原则 =%50%民主}",
			want: []GIFTQuestion{{Line: 1, Input: Input{Type: TypeFill, Stem: "我国的国家机构实行什么原则？", Answer: "民主集中制|民主集中制原则"}}},
		},
		{
			name: "missing word becomes a blank",
			src:  "中华人民共和国的一切权力属于 {=人民} 。\n\n公民的合法的私有财产 {=不受侵犯 ~可以征收} 。",
			want: []GIFTQuestion{
				{Line: 1, Input: Input{Type: TypeFill, Stem: "中华人民共和国的一切权力属于____。", Answer: "人民"}},
				{Line: 3, Input: Input{Type: TypeSingle, Stem: "公民的合法的私有财产（ ）。", Options: []string{"不受侵犯", "可以征收"}, Answer: "A"}},
			},
		},
		{
			name: "escapes in stem and answers",
			src:  `::t\:1:: 下列写法正确的是 \{a\} \~ \= \# \: {=a \= b ~c \~ d ~e \{f\} ~g \#1 ~h\\i}`,
			want: []GIFTQuestion{{Line: 1, Input: Input{Type: TypeSingle, Stem: "下列写法正确的是 {a} ~ = # :",
				Options: []string{"a = b", "c ~ d", "e {f}", "g #1", `h\i`}, Answer: "A"}}},
		},
		{
			name: "line break escape, format marker, CRLF and category line",
			src:  "$CATEGORY: $course$/宪法\r\n\r\n[html]第一行\\n第二行 {T}\r\n",
			want: []GIFTQuestion{{Line: 3, Input: Input{Type: TypeJudge, Stem: "第一行\n第二行", Answer: "true"}}},
		},
		{
			name: "single choice marked by a full weight",
			src:  "甲 {~%100%对的 ~错的}",
			want: []GIFTQuestion{{Line: 1, Input: Input{Type: TypeSingle, Stem: "甲", Options: []string{"对的", "错的"}, Answer: "A"}}},
		},
		{
			name: "comments between questions and inside a question",
			src:  "// head\n\n甲 {\n// a comment inside\n=x ~y}\n// tail",
			want: []GIFTQuestion{{Line: 3, Input: Input{Type: TypeSingle, Stem: "甲", Options: []string{"x", "y"}, Answer: "A"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := ParseGIFT(tt.src)
			require.Empty(t, errs)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseGIFTErrors(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		wantLine int
		wantMsg  string
	}{
		{"no answer block", "just text", 1, "缺少答案块"},
		{"unclosed block", "\n\n甲 {=a ~b\n~c", 3, "缺少结尾的 }"},
		{"unclosed title", "::t 甲 {T}", 1, "标题缺少结尾"},
		{"two blocks", "甲 {T} 乙 {F}", 1, "只能有一个答案块"},
		{"stray closing brace", "甲 } {T}", 1, "多余的 }"},
		{"nested brace", "甲 {=a {b}", 1, "未转义的 {"},
		{"essay", "谈谈你的理解 {}", 1, "不支持论述题"},
		{"numerical", "1+1= {#2}", 1, "不支持数值题"},
		{"matching", "配对 {=a -> 1 =b -> 2}", 1, "不支持配对题"},
		{"two equals in a choice", "甲 {=a =b ~c}", 1, "只能有一个 ="},
		{"no right answer", "甲 {~a ~b}", 1, "没有正确答案"},
		{"bad weight", "甲 {~%abc%a =b}", 1, "权重格式错误"},
		{"unterminated weight", "甲 {~%50 a =b}", 1, "权重格式错误"},
		{"empty answer", "甲 {= ~b}", 1, "答案内容为空"},
		{"text before the first answer", "甲 {x =a ~b}", 1, "应以 = 或 ~ 开头"},
		{"empty stem", "{T}", 1, "题干为空"},
		{"only partial credit in short answer", "甲 {=%50%a}", 1, "没有满分答案"},
		{"pipe in a short answer", `甲 {=a|b}`, 1, "不能包含 |"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := ParseGIFT(tt.src)
			assert.Empty(t, got)
			require.Len(t, errs, 1, "%v", errs)
			assert.Equal(t, tt.wantLine, errs[0].Line)
			assert.Contains(t, errs[0].Message, tt.wantMsg)
		})
	}
}

// A bad question is reported with its line and the good ones around it still parse.
func TestParseGIFTKeepsGoingAfterAnError(t *testing.T) {
	src := "甲 {T}\n\n乙 {=a ~b\n\n丙 {F}\n\n丁 {#3}\n"
	got, errs := ParseGIFT(src)
	require.Len(t, got, 2)
	assert.Equal(t, "甲", got[0].Input.Stem)
	assert.Equal(t, 5, got[1].Line)
	assert.Equal(t, []int{3, 7}, []int{errs[0].Line, errs[1].Line})
}

func FuzzParseGIFT(f *testing.F) {
	for _, seed := range []string{
		"::q1:: 我国的根本制度是 {=社会主义制度 ~人民代表大会制度}",
		"甲 {\n~%50%a#fb\n~%50%b\n~%-100%c\n####总评}",
		"甲 {T}\n\n乙 {FALSE#x}",
		"甲 {=a =b =%50%c}",
		`\{ \} \~ \= \# \: \\ \n {=\= ~\~}`,
		"// c\n$CATEGORY: x\n\n[html]a {=b} c",
		"{", "}", "::", "::a::", "{~%", "{~%%}", "\\", "{=\\", "a {=b -> c}", "a {#1:2}", "{}",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		got, errs := ParseGIFT(src)
		for _, q := range got {
			if q.Line < 1 || strings.TrimSpace(q.Input.Stem) == "" || !q.Input.Type.Valid() || q.Input.Answer == "" {
				t.Fatalf("bad question from %q: %+v", src, q)
			}
			if q.Input.Type.IsChoice() {
				for _, l := range q.Input.Answer {
					if int(l-'A') >= len(q.Input.Options) {
						t.Fatalf("answer %q outside options %v", q.Input.Answer, q.Input.Options)
					}
				}
			}
			// Whatever parses must go through validation without panicking too.
			_, _, _ = build(q.Input)
		}
		for _, e := range errs {
			if e.Line < 1 || e.Message == "" {
				t.Fatalf("bad error from %q: %+v", src, e)
			}
		}
		if utf8.ValidString(src) && len(got)+len(errs) == 0 && strings.ContainsAny(src, "{}") {
			// A brace outside comments always yields a question or an error.
			for _, line := range strings.Split(src, "\n") {
				if tl := strings.TrimSpace(line); tl != "" && !strings.HasPrefix(tl, "//") && !strings.HasPrefix(tl, "$CATEGORY:") && strings.ContainsAny(tl, "{}") {
					t.Fatalf("input with braces %q gave neither questions nor errors", src)
				}
			}
		}
	})
}
