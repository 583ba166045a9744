package learner

import (
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

// Reading the learner sheet of an import: the format is sniffed, row 1 mapped to column keys,
// then every non-blank row read as cell text by key.

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
