package learner

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/sheet"
)

// The learner sheet: one layout for the import template, imports and exports, so an export
// imports back unchanged. Row 1 is the header; columns are found by header text, in any order.

// Format is a spreadsheet file format.
type Format string

// Formats.
const (
	FormatXLSX Format = "xlsx"
	FormatCSV  Format = "csv"
)

// ContentType is the MIME type of files in the format.
func (f Format) ContentType() string {
	if f == FormatCSV {
		return "text/csv; charset=utf-8"
	}
	return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}

// Column keys.
const (
	colName     = "name"
	colUnit     = "unit"
	colTrack    = "track"
	colPosition = "position"
	colPhone    = "phone"
	colIDCard   = "id_card"
	colID       = "id"
)

type sheetColumn struct {
	key      string
	header   string   // the Chinese header written in templates and exports
	aliases  []string // other accepted header texts (the JSON field names, for integrators)
	required bool     // the header must be present in an import
	width    float64
	note     string
	example  string
}

// sheetColumns is the layout, in the order templates and exports write it.
var sheetColumns = []sheetColumn{
	{key: colName, header: "姓名", aliases: []string{"name"}, required: true, width: 12,
		note: "必填，2–32 个字", example: "张三"},
	{key: colUnit, header: "单位", aliases: []string{"unit"}, required: true, width: 24,
		note: "必填。单位代码（如 huayang）、从县开始的单位路径（如 绩溪县/华阳镇），或在管辖范围内唯一的单位名称；须在您的管辖范围内。可选单位见“单位”工作表"},
	{key: colTrack, header: "学习类别", aliases: []string{"track"}, required: true, width: 10,
		note: "必填。领航（领导干部）、普及（一般国家工作人员）、精准（司法执法人员），或代码 leader / general / judicial", example: "普及"},
	{key: colPosition, header: "职务", aliases: []string{"position"}, required: true, width: 16,
		note: "可空，不超过 64 字", example: "科员"},
	{key: colPhone, header: "手机号", aliases: []string{"phone"}, required: true, width: 14,
		note: "必填，11 位手机号，学员用它登录；文件内不能重复。含 * 的脱敏号码（导出所得）表示保持原号码不变", example: "13800001234"},
	{key: colIDCard, header: "身份证号", aliases: []string{"id_card"}, required: true, width: 22,
		note: "可空，18 位（末位可为 X），按 GB 11643 校验；文件内不能重复。留空或含 * 的脱敏号码表示保持原号码不变", example: "11010519491231002X"},
	{key: colID, header: "学员编号", aliases: []string{"id"}, width: 10,
		note: "可选列。导出时填写，导入时按它匹配已有学员；新学员留空（再按身份证号、手机号匹配）"},
}

func columnByKey(key string) sheetColumn {
	for _, c := range sheetColumns {
		if c.key == key {
			return c
		}
	}
	return sheetColumn{key: key, header: key}
}

// header is the Chinese header of a column key (used in row errors).
func header(key string) string { return columnByKey(key).header }

// sheetRow is one data row: its number in the file (the header is row 1) and cell text by key.
type sheetRow struct {
	num   int
	cells map[string]string
}

func (r sheetRow) get(key string) string { return r.cells[key] }

// Errors of reading a sheet.
var (
	errUnsupportedFormat = apperr.New(415, "learner.import_unsupported_format", "只支持 .xlsx 工作簿或 CSV 文件（.xls 或加密的工作簿请另存为 .xlsx）")
	errUnreadableFile    = apperr.Invalid("learner.import_unreadable", "文件已损坏或不是有效的 .xlsx / CSV 文件", apperr.Field("file", "无法读取"))
	errNoWorksheet       = apperr.Invalid("learner.import_unreadable", "工作簿中没有工作表", apperr.Field("file", "没有工作表"))
)

// detectFormat sniffs the content; the file name only decides nothing on its own.
func detectFormat(data []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return FormatXLSX, nil
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}): // OLE2: .xls or an encrypted workbook
		return "", errUnsupportedFormat
	}
	sample := data[:min(len(data), 8192)]
	if bytes.IndexByte(sample, 0) >= 0 {
		return "", errUnsupportedFormat // binary
	}
	return FormatCSV, nil
}

// decodeText returns CSV content as UTF-8: a BOM is dropped; text that is not UTF-8 is read as
// GB 18030 (what Excel on Chinese Windows writes for "CSV").
func decodeText(data []byte) ([]byte, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if utf8.Valid(data) {
		return data, nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || !utf8.Valid(out) {
		return nil, errUnsupportedFormat
	}
	return out, nil
}

// rowSource yields the rows of a file with their 1-based numbers.
type rowSource interface {
	next() (num int, cells []string, err error) // io.EOF at the end
	close()
}

type csvSource struct {
	r   *csv.Reader
	num int
}

func (s *csvSource) next() (int, []string, error) {
	rec, err := s.r.Read()
	if err != nil {
		var parseErr *csv.ParseError
		switch {
		case errors.Is(err, io.EOF):
			return 0, nil, io.EOF
		case errors.As(err, &parseErr):
			msg := "CSV 第 " + strconv.Itoa(parseErr.StartLine) + " 行格式有误（引号不成对或多余）"
			return 0, nil, apperr.Invalid(errUnreadableFile.Code, msg, apperr.Field("file", msg))
		}
		return 0, nil, errUnreadableFile
	}
	s.num++
	return s.num, rec, nil
}

func (s *csvSource) close() {}

type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	num  int
}

func (s *xlsxSource) next() (int, []string, error) {
	if !s.rows.Next() {
		if s.rows.Error() != nil {
			return 0, nil, errUnreadableFile
		}
		return 0, nil, io.EOF
	}
	s.num++
	cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return 0, nil, errUnreadableFile
	}
	return s.num, cells, nil
}

func (s *xlsxSource) close() {
	_ = s.rows.Close()
	_ = s.f.Close()
}

// dataSheet is the sheet imports read: the one named like the template's, else the first.
const dataSheet = "学员"

func openSource(data []byte, maxRows int) (rowSource, Format, error) {
	format, err := detectFormat(data)
	if err != nil {
		return nil, "", err
	}
	if format == FormatCSV {
		text, err := decodeText(data)
		if err != nil {
			return nil, "", err
		}
		r := csv.NewReader(bytes.NewReader(text))
		r.FieldsPerRecord = -1
		r.ReuseRecord = false
		return &csvSource{r: r}, format, nil
	}
	// A small upload must not unpack into a huge workbook: refuse it before excelize reads it.
	limits := sheet.ImportLimits(maxRows)
	if err := sheet.InspectXLSX(data, limits); err != nil {
		if tooBig := sheet.ImportError(err, "learner"); tooBig != nil {
			return nil, "", tooBig
		}
		return nil, "", errUnreadableFile
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), limits.OpenOptions())
	if err != nil {
		return nil, "", errUnreadableFile
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		_ = f.Close()
		return nil, "", errNoWorksheet
	}
	name := sheets[0]
	for _, s := range sheets {
		if s == dataSheet {
			name = s
		}
	}
	rows, err := f.Rows(name)
	if err != nil {
		_ = f.Close()
		return nil, "", errUnreadableFile
	}
	return &xlsxSource{f: f, rows: rows}, format, nil
}

// readSheet reads the header and every non-blank data row (at most maxRows). A wrong header is
// an *ImportRejected naming each missing or unknown column on row 1.
func readSheet(data []byte, maxRows int) ([]sheetRow, Format, error) {
	src, format, err := openSource(data, maxRows)
	if err != nil {
		return nil, "", err
	}
	defer src.close()
	_, head, err := src.next()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, "", err
	}
	keys, err := parseHeader(head)
	if err != nil {
		return nil, "", err
	}
	var rows []sheetRow
	for {
		num, cells, err := src.next()
		if errors.Is(err, io.EOF) {
			return rows, format, nil
		}
		if err != nil {
			return nil, "", err
		}
		row := sheetRow{num: num, cells: make(map[string]string, len(keys))}
		blank := true
		for i, key := range keys {
			if key == "" || i >= len(cells) {
				continue
			}
			v := cleanCell(cells[i])
			row.cells[key] = v
			blank = blank && v == ""
		}
		if blank {
			continue
		}
		if len(rows) == maxRows {
			return nil, "", apperr.Invalid("learner.import_too_many_rows",
				"一次最多导入 "+strconv.Itoa(maxRows)+" 行，请拆分文件", apperr.Field("file", "行数过多"))
		}
		rows = append(rows, row)
	}
}

// parseHeader maps each header cell to a column key ("" for blank trailing cells).
func parseHeader(head []string) ([]string, error) {
	keys := make([]string, len(head))
	seen := map[string]bool{}
	var errs []RowError
	for i, h := range head {
		h = strings.TrimSpace(cleanCell(h))
		if h == "" {
			continue
		}
		key := ""
		for _, c := range sheetColumns {
			if h == c.header || containsFold(c.aliases, h) {
				key = c.key
			}
		}
		switch {
		case key == "":
			errs = append(errs, RowError{Row: 1, Column: h, Message: "无法识别的列，可用的列: " + headerList()})
		case seen[key]:
			errs = append(errs, RowError{Row: 1, Column: h, Message: "列重复"})
		default:
			seen[key] = true
			keys[i] = key
		}
	}
	for _, c := range sheetColumns {
		if c.required && !seen[c.key] {
			errs = append(errs, RowError{Row: 1, Column: c.header, Message: "缺少此列"})
		}
	}
	if len(errs) > 0 {
		return nil, &ImportRejected{Err: apperr.Invalid("learner.import_bad_header", "表头不正确：第 1 行须为模板中的列名"),
			Result: ImportResult{InvalidRows: 1, Errors: errs}}
	}
	return keys, nil
}

func headerList() string {
	names := make([]string, 0, len(sheetColumns))
	for _, c := range sheetColumns {
		names = append(names, c.header)
	}
	return strings.Join(names, "、")
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// cleanCell trims spaces (also the full-width and no-break ones) and the apostrophe that
// exports put before text a spreadsheet would take for a formula.
func cleanCell(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '\u3000' || r == '\u00a0' || r == '\ufeff'
	})
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@", rune(s[1])) {
		s = s[1:]
	}
	return s
}

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
