package questionbank

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// The spreadsheet layout shared by the template, import and export (xlsx and CSV alike), so
// an exported bank imports again unchanged.
var tableHeaders = []string{
	"题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "选项G", "选项H",
	"答案", "解析", "法律名称", "条款", "施行日期", "难度", "标签", "状态",
}

// requiredHeaders must be present in an imported sheet; the others may be left out.
var requiredHeaders = []string{"题型", "题干", "答案"}

// ignoredHeaders are accepted and skipped (a row-number column many sheets carry).
var ignoredHeaders = []string{"序号", "编号"}

// fieldColumns names the spreadsheet column of each API field, for import errors.
var fieldColumns = map[string]string{
	"type": "题型", "stem": "题干", "options": "选项", "answer": "答案", "analysis": "解析",
	"legal_basis.law": "法律名称", "legal_basis.article": "条款", "legal_basis.effective_date": "施行日期",
	"difficulty": "难度", "tags": "标签", "status": "状态",
}

func columnOf(field string) string {
	if strings.HasPrefix(field, "options[") {
		if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(field, "options["), "]")); err == nil && n < MaxOptions {
			return "选项" + Letter(n)
		}
		return "选项"
	}
	if c, ok := fieldColumns[field]; ok {
		return c
	}
	return field
}

var typeLabels = map[string]Type{
	"单选": TypeSingle, "单选题": TypeSingle, "单项选择": TypeSingle, "单项选择题": TypeSingle, "single": TypeSingle,
	"多选": TypeMultiple, "多选题": TypeMultiple, "多项选择": TypeMultiple, "多项选择题": TypeMultiple, "multiple": TypeMultiple,
	"判断": TypeJudge, "判断题": TypeJudge, "judge": TypeJudge,
	"填空": TypeFill, "填空题": TypeFill, "fill": TypeFill,
}

var typeNames = map[Type]string{TypeSingle: "单选", TypeMultiple: "多选", TypeJudge: "判断", TypeFill: "填空"}

var statusLabels = map[string]Status{
	"已发布": StatusPublished, "发布": StatusPublished, "published": StatusPublished,
	"草稿": StatusDraft, "draft": StatusDraft,
	"已停用": StatusRetired, "停用": StatusRetired, "retired": StatusRetired,
}

var statusNames = map[Status]string{StatusPublished: "已发布", StatusDraft: "草稿", StatusRetired: "已停用"}

// dateLayouts are the spellings of 施行日期 accepted on import (exports write the first).
var dateLayouts = []string{time.DateOnly, "2006/1/2", "2006-1-2", "2006.1.2", "2006年1月2日", "20060102"}

// parseDate reads a date cell: a spelling above, or an Excel serial day number.
func parseDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	if serial, err := strconv.ParseFloat(s, 64); err == nil && serial > 0 && serial < 2958466 {
		if t, err := excelize.ExcelDateToTime(serial, false); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}

// sourceRow is one question read from a file, with what was wrong reading its cells.
type sourceRow struct {
	Row   int
	Input Input
	Errs  []RowError
}

// readTable turns records (the first is the header) into rows. rowNos gives each record's row
// (line) number. Structural problems (missing or unknown columns) come back as file errors.
func readTable(records [][]string, rowNos []int) ([]sourceRow, []RowError) {
	if len(records) == 0 {
		return nil, nil
	}
	index := map[string]int{}
	var fileErrs []RowError
	for i, h := range records[0] {
		h = normaliseHeader(h)
		switch {
		case h == "" || slices.Contains(ignoredHeaders, h):
			continue
		case !slices.Contains(tableHeaders, h):
			fileErrs = append(fileErrs, RowError{Row: rowNos[0], Column: h, Message: "未知的列；可用的列见导入模板"})
		case index[h] != 0:
			fileErrs = append(fileErrs, RowError{Row: rowNos[0], Column: h, Message: "列重复"})
		default:
			index[h] = i + 1 // 0 means absent
		}
	}
	for _, h := range requiredHeaders {
		if index[h] == 0 {
			fileErrs = append(fileErrs, RowError{Row: rowNos[0], Column: h, Message: "缺少必需的列"})
		}
	}
	if len(fileErrs) > 0 {
		return nil, fileErrs
	}
	var rows []sourceRow
	for n, rec := range records[1:] {
		cell := func(h string) string {
			i := index[h] - 1
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		blank := true
		for _, v := range rec {
			blank = blank && strings.TrimSpace(v) == ""
		}
		if blank {
			continue
		}
		rows = append(rows, rowFromCells(rowNos[n+1], cell))
	}
	return rows, nil
}

func rowFromCells(rowNo int, cell func(string) string) sourceRow {
	r := sourceRow{Row: rowNo}
	bad := func(col, msg string) { r.Errs = append(r.Errs, RowError{Row: rowNo, Column: col, Message: msg}) }
	in := Input{
		Stem: cell("题干"), Answer: cell("答案"), Analysis: cell("解析"), LawName: cell("法律名称"), LawArticle: cell("条款"),
	}
	if raw := cell("题型"); raw != "" {
		t, ok := typeLabels[strings.ToLower(raw)]
		if !ok {
			bad("题型", "应为 单选、多选、判断 或 填空")
		}
		in.Type = t
	} else {
		bad("题型", "必填")
	}
	for i := range MaxOptions {
		in.Options = append(in.Options, cell("选项"+Letter(i)))
	}
	if raw := cell("施行日期"); raw != "" {
		d, ok := parseDate(raw)
		if !ok {
			bad("施行日期", "应为日期，如 2021-01-01")
		}
		in.LawEffectiveDate = d
	}
	if raw := cell("难度"); raw != "" {
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil || f != float64(int(f)) || f < 1 || f > 5 {
			bad("难度", "应为 1 到 5 的整数")
		} else {
			in.Difficulty = int(f)
		}
	}
	in.Tags = strings.FieldsFunc(cell("标签"), func(r rune) bool { return strings.ContainsRune(",，、;；", r) })
	if raw := cell("状态"); raw != "" {
		st, ok := statusLabels[strings.ToLower(raw)]
		if !ok {
			bad("状态", "应为 已发布、草稿 或 已停用")
		}
		in.Status = st
	}
	r.Input = in
	return r
}

func normaliseHeader(h string) string {
	h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
	for _, suffix := range []string{"*", "（必填）", "(必填)"} {
		h = strings.TrimSpace(strings.TrimSuffix(h, suffix))
	}
	if strings.HasPrefix(h, "选项") {
		h = "选项" + strings.ToUpper(strings.TrimPrefix(h, "选项"))
	}
	return h
}

// cellsOf is a question as one spreadsheet row, in tableHeaders order.
func cellsOf(q Question) []string {
	answer := q.Answer
	if q.Type == TypeJudge {
		answer = JudgeLabel(q.Answer)
	}
	row := []string{typeNames[q.Type], q.Stem}
	for i := range MaxOptions {
		opt := ""
		if i < len(q.Options) {
			opt = q.Options[i]
		}
		row = append(row, opt)
	}
	return append(row, answer, q.Analysis, q.LawName, q.LawArticle, q.LawEffectiveDate,
		strconv.Itoa(q.Difficulty), strings.Join(q.TagList(), ","), statusNames[q.Status])
}
