package yearend

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/clock"
)

// A report sheet is laid out like the tables a county sends upward: a title across the table,
// a few header lines (campaign, unit, the time of the data, when it was generated), an empty
// line, then the table with a bold, frozen header row. excelize's stream writer keeps memory
// flat however many rows follow.

// reportSheet is one sheet of a report workbook.
type reportSheet struct {
	Name   string   // the worksheet's name
	Title  string   // the first line, merged across the table
	Lines  []string // header lines under the title
	Header []string // the table's column names
	Widths []float64
	// Rows writes the table's rows through emit, in order; it may stream them from the database.
	Rows func(emit func(row []any) error) error
}

// writeReport writes the sheet as an xlsx workbook.
func writeReport(w io.Writer, s reportSheet) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", s.Name); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(s.Name)
	if err != nil {
		return err
	}
	styles, err := newReportStyles(f)
	if err != nil {
		return err
	}
	for i, width := range s.Widths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	headerRow := len(s.Lines) + 3 // title, lines, one empty line
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: cellName(1, headerRow+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	last := cellName(max(len(s.Header), 1), 1)
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: styles.title, Value: s.Title}}, excelize.RowOpts{Height: 28}); err != nil {
		return err
	}
	if err := sw.MergeCell("A1", last); err != nil {
		return err
	}
	for i, line := range s.Lines {
		if err := sw.SetRow(cellName(1, i+2), []any{line}); err != nil {
			return err
		}
		if err := sw.MergeCell(cellName(1, i+2), cellName(max(len(s.Header), 1), i+2)); err != nil {
			return err
		}
	}
	header := make([]any, len(s.Header))
	for i, h := range s.Header {
		header[i] = excelize.Cell{StyleID: styles.header, Value: h}
	}
	if err := sw.SetRow(cellName(1, headerRow), header); err != nil {
		return err
	}
	next := headerRow + 1
	if err := s.Rows(func(row []any) error {
		if err := sw.SetRow(cellName(1, next), row); err != nil {
			return fmt.Errorf("row %d: %w", next, err)
		}
		next++
		return nil
	}); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

type reportStyles struct{ title, header int }

func newReportStyles(f *excelize.File) (reportStyles, error) {
	var s reportStyles
	var err error
	if s.title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}); err != nil {
		return s, err
	}
	s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Border: []excelize.Border{{Type: "left", Color: "999999", Style: 1}, {Type: "right", Color: "999999", Style: 1},
			{Type: "top", Color: "999999", Style: 1}, {Type: "bottom", Color: "999999", Style: 1}}})
	return s, err
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// dataTime says which data a sheet shows: a close's snapshot, or live figures "as of" now.
func dataTime(closeNo int, snapshotAt *time.Time, now time.Time) string {
	if closeNo > 0 && snapshotAt != nil {
		return fmt.Sprintf("数据时间：%s 结办快照（第 %d 次结办）", shanghai(*snapshotAt), closeNo)
	}
	return fmt.Sprintf("数据时间：截至 %s（活动进行中）", shanghai(now))
}

func shanghai(t time.Time) string { return t.In(clock.Shanghai()).Format("2006-01-02 15:04") }

// sheetFormula describes the year's formula in one line for a sheet's header.
func sheetFormula(f Formula) string {
	if f.ExamWeight == 0 || f.ExamID == nil {
		return fmt.Sprintf("年度成绩：学分完成度 × 100（不计考试），%s 分及以上达标", f.PassScore)
	}
	return fmt.Sprintf("年度成绩：学分完成度占 %d%%、考试成绩占 %d%%，%s 分及以上且参加考试达标；免考人员按 %d%% 的学分目标计",
		100-f.ExamWeight, f.ExamWeight, f.PassScore, f.ExemptTargetPercent)
}

// sheetName makes a worksheet name excelize accepts: at most 31 characters, none of : \ / ? * [ ].
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	return s
}

// sheetNum is an amount as a sheet number (so the county can sum the column).
func sheetNum(a credit.Amount) float64 { return float64(a) / 100 }

// sheetYesNo is 是 / 否.
func sheetYesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// sheetOrDash is a value, or "—" when there is none.
func sheetOrDash[T any](v *T) any {
	if v == nil {
		return "—"
	}
	return *v
}

// sheetTrack is a track's Chinese name.
func sheetTrack(t string) string {
	if l, ok := map[string]string{"leader": "领航", "general": "普及", "judicial": "精准"}[t]; ok {
		return l
	}
	return t
}

// reportHeader is the table of a unit report.
var reportHeader = []string{"排名", "单位", "应参学人数", "参学人数", "达标人数", "达标率(%)", "平均学分", "平均年度成绩",
	"应参考人数", "参考人数", "通过人数", "未参加人数", "及格率(%)", "平均分"}

// reportRow is one unit's line of the unit report.
func reportRow(f Figures, label string, examCounted bool) []any {
	rankCell := any("")
	if f.Rank > 0 {
		rankCell = f.Rank
	}
	row := []any{rankCell, label, f.Learners, f.Participants, f.Met, f.MetRate(), sheetNum(f.AverageCredits()), sheetNum(f.AverageScore())}
	if !examCounted {
		return append(row, "—", "—", "—", "—", "—", "—")
	}
	return append(row, f.ExamExpected, f.ExamSat, f.ExamPassed, f.ExamAbsent(), sheetOrDash(f.PassRate()), sheetOrDash(f.AverageExamScore()))
}

// reportRows are the lines of a unit report: the sub-units in rank order, the unit's own
// learners, then the total.
func reportRows(b Breakdown, examCounted bool) [][]any {
	rows := make([][]any, 0, len(b.SubUnits)+2)
	for _, f := range b.SubUnits {
		rows = append(rows, reportRow(f, f.UnitName, examCounted))
	}
	if b.Direct != nil {
		rows = append(rows, reportRow(*b.Direct, b.Direct.UnitName+"（本级）", examCounted))
	}
	return append(rows, reportRow(b.Total, "合计", examCounted))
}

// resultHeader is the table of the per-learner final list.
var resultHeader = []string{"序号", "姓名", "单位", "学习类别", "免考", "学分目标", "学分合计", "学习", "练习", "考试学分", "活动学分",
	"竞答", "调整", "参加活动", "述法", "考试成绩", "考试满分", "考试通过", "年度成绩", "状态"}

// resultRow is one learner's line of the final list.
func resultRow(n int, r *Result, unitName string) []any {
	passed := any("—")
	if r.ExamPassed != nil {
		passed = sheetYesNo(*r.ExamPassed)
	}
	return []any{n, r.LearnerName, unitName, sheetTrack(r.Track), sheetYesNo(r.Exempt), sheetNum(r.Target), sheetNum(r.Credits), sheetNum(r.Study),
		sheetNum(r.Practice), sheetNum(r.ExamCredits), sheetNum(r.EventCredits), sheetNum(r.Quiz), sheetNum(r.Adjustment), r.EventsAttended, r.LawReports,
		sheetOrDash(r.ExamScore), sheetOrDash(r.ExamMaxScore), passed, sheetNum(r.Score), sheetStatus(r)}
}

// sheetStatus is a result's status in words (免考 says whether the lower target was met).
func sheetStatus(r *Result) string {
	if r.Status == StatusExempt {
		if r.Met {
			return "免考（达标）"
		}
		return "免考（未达标）"
	}
	return r.Status.Label()
}

func sheetWidths(first float64, n int, rest float64) []float64 {
	out := []float64{first}
	for i := 1; i < n; i++ {
		out = append(out, rest)
	}
	return out
}

// archiveHeader is the table of a unit's archive across years.
var archiveHeader = []string{"年度", "学法活动", "姓名", "单位", "学习类别", "免考", "学分目标", "学分合计", "参加活动", "述法",
	"考试成绩", "考试满分", "考试通过", "年度成绩", "状态", "结办时间", "证书编号", "证书状态"}

// archiveRow is one learner's year in a unit's archive.
func archiveRow(r *RecordRow) []any {
	v := toRecordYearView(*r)
	passed, cert, certState := any("—"), "", ""
	if r.ExamPassed != nil {
		passed = sheetYesNo(*r.ExamPassed)
	}
	if v.Certificate != nil {
		cert, certState = v.Certificate.Code, "有效"
		if v.Certificate.Revoked {
			certState = "已撤销"
		}
	}
	return []any{v.Year, r.CampaignName, r.LearnerName, r.UnitName, sheetTrack(r.Track), sheetYesNo(r.Exempt), sheetNum(r.Target),
		sheetNum(r.Credits), r.EventsAttended, r.LawReports, sheetOrDash(r.ExamScore), sheetOrDash(r.ExamMaxScore), passed,
		sheetNum(r.Score), sheetStatus(&r.Result), closedAt(r.ClosedAt), cert, certState}
}
