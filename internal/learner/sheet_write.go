package learner

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Writing the learner sheet, for templates and exports: a CSV file, or an xlsx workbook with
// help sheets, drop-down lists and text-formatted number columns.

// sheetWriter writes the learner sheet row by row in one format.
type sheetWriter interface {
	// Row writes one data row, cells in sheetColumns order.
	Row(cells []string) error
	// Close finishes the file and writes what remains to the output.
	Close() error
	// Abort gives up on the file, releasing what it holds.
	Abort()
}

// newSheetWriter starts a file with the header row. units ("code, path" pairs) are listed on a
// sheet of their own (xlsx only).
func newSheetWriter(format Format, w io.Writer, units [][2]string) (sheetWriter, error) {
	if format == FormatCSV {
		return newCSVWriter(w)
	}
	return newXLSXWriter(w, units)
}

type csvWriter struct {
	buf *bufio.Writer
	w   *csv.Writer
}

func newCSVWriter(w io.Writer) (*csvWriter, error) {
	buf := bufio.NewWriterSize(w, 64<<10)
	if _, err := buf.WriteString("\uFEFF"); err != nil { // Excel reads UTF-8 only with a BOM
		return nil, err
	}
	cw := &csvWriter{buf: buf, w: csv.NewWriter(buf)}
	headers := make([]string, 0, len(sheetColumns))
	for _, c := range sheetColumns {
		headers = append(headers, c.header)
	}
	return cw, cw.w.Write(headers)
}

func (c *csvWriter) Row(cells []string) error {
	safe := make([]string, len(cells))
	for i, v := range cells {
		safe[i] = defuseFormula(v)
	}
	return c.w.Write(safe)
}

func (c *csvWriter) Abort() {}

func (c *csvWriter) Close() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return err
	}
	return c.buf.Flush()
}

// defuseFormula puts an apostrophe before text that a spreadsheet would run as a formula (CSV
// injection); imports drop it again.
func defuseFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

type xlsxWriter struct {
	out  io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	next int
}

func newXLSXWriter(out io.Writer, units [][2]string) (*xlsxWriter, error) {
	f := excelize.NewFile()
	x := &xlsxWriter{out: out, f: f, next: 2}
	if err := x.prepare(units); err != nil {
		_ = f.Close()
		return nil, err
	}
	return x, nil
}

// prepare lays out the workbook: the data sheet with header comments, text-formatted phone and
// ID columns and drop-down lists; a 说明 sheet with each column's rules and an example row; a
// 单位 sheet listing the units one may use. Nothing but the header is on the data sheet, so an
// untouched template imports to zero rows.
func (x *xlsxWriter) prepare(units [][2]string) error {
	f := x.f
	if err := f.SetSheetName("Sheet1", dataSheet); err != nil {
		return err
	}
	for i, c := range sheetColumns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.AddComment(dataSheet, excelize.Comment{Author: "xuefa", Cell: cell, Text: c.note, Width: 240, Height: 90}); err != nil {
			return err
		}
	}
	last := strconv.Itoa(maxImportRows + 1)
	track := excelize.NewDataValidation(true)
	track.Sqref = "C2:C" + last
	if err := track.SetDropList([]string{TrackLeader.Label(), TrackGeneral.Label(), TrackJudicial.Label()}); err != nil {
		return err
	}
	track.SetError(excelize.DataValidationErrorStyleInformation, "学习类别", "请填 领航、普及、精准 或 leader、general、judicial")
	if err := f.AddDataValidation(dataSheet, track); err != nil {
		return err
	}
	if len(units) > 0 {
		unitList := excelize.NewDataValidation(true)
		unitList.Sqref = "B2:B" + last
		unitList.SetSqrefDropList("'单位'!$B$2:$B$" + strconv.Itoa(len(units)+1))
		unitList.SetError(excelize.DataValidationErrorStyleInformation, "单位", "请填单位代码或“单位”工作表中的单位路径")
		if err := f.AddDataValidation(dataSheet, unitList); err != nil {
			return err
		}
	}
	if err := x.helpSheets(units); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(dataSheet)
	if err != nil {
		return err
	}
	x.sw = sw
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49})
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": typed phone and ID numbers stay text
	if err != nil {
		return err
	}
	headers := make([]any, 0, len(sheetColumns))
	for i, c := range sheetColumns {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return err
		}
		if err := sw.SetColStyle(i+1, i+1, text); err != nil {
			return err
		}
		headers = append(headers, excelize.Cell{StyleID: bold, Value: c.header})
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return sw.SetRow("A1", headers)
}

func (x *xlsxWriter) helpSheets(units [][2]string) error {
	f := x.f
	const help = "说明"
	if _, err := f.NewSheet(help); err != nil {
		return err
	}
	rows := [][]any{
		{"学员导入说明：在“学员”工作表第 2 行起每行填写一名学员，不要改动第 1 行的列名。按学员编号、身份证号或手机号匹配已有学员：匹配到的更新有变化的字段，其余新建学员及其登录账号。"},
		{"新导入的学员暂无可用密码：请管理员在学员详情中“重置密码”后把初始密码告知本人，学员首次登录须修改密码。"},
		{"任何一行有误时整个文件不导入，并逐行列出错误；也可选择只导入正确的行。"},
		{},
		{"列名", "是否必填", "填写说明", "示例"},
	}
	for _, c := range sheetColumns {
		required := "必填"
		switch c.key {
		case colPosition, colIDCard:
			required = "可空"
		case colID:
			required = "可选列"
		}
		example := c.example
		if c.key == colUnit && len(units) > 0 {
			example = units[0][1]
		}
		rows = append(rows, []any{c.header, required, c.note, example})
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(help, cell, &r); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(help, "A", "A", 14); err != nil {
		return err
	}
	if err := f.SetColWidth(help, "C", "C", 80); err != nil {
		return err
	}
	if err := f.SetColWidth(help, "D", "D", 22); err != nil {
		return err
	}
	if len(units) == 0 {
		return nil
	}
	const unitSheet = "单位"
	if _, err := f.NewSheet(unitSheet); err != nil {
		return err
	}
	if err := f.SetSheetRow(unitSheet, "A1", &[]any{"单位代码", "单位路径"}); err != nil {
		return err
	}
	for i, u := range units {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(unitSheet, cell, &[]any{u[0], u[1]}); err != nil {
			return err
		}
	}
	return f.SetColWidth(unitSheet, "B", "B", 40)
}

func (x *xlsxWriter) Row(cells []string) error {
	row := make([]any, len(cells))
	for i, v := range cells {
		row[i] = v
	}
	cell, _ := excelize.CoordinatesToCellName(1, x.next)
	x.next++
	return x.sw.SetRow(cell, row)
}

func (x *xlsxWriter) Abort() { _ = x.f.Close() }

func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	return x.f.Write(x.out)
}
