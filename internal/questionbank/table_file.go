package questionbank

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xuefa/xuefa/internal/platform/sheet"
)

// decodeText returns UTF-8 text without a BOM; text that is not UTF-8 is read as GB18030
// (what Excel on a Chinese Windows saves as "CSV").
func decodeText(data []byte) (string, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if utf8.Valid(data) {
		return string(data), nil
	}
	// The decoder replaces bytes it cannot read with U+FFFD rather than failing.
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || !utf8.Valid(out) || bytes.ContainsRune(out, utf8.RuneError) {
		return "", errors.New("文件编码无法识别，请保存为 UTF-8")
	}
	return string(out), nil
}

// readCSV reads CSV text into records and the line each starts on.
func readCSV(text string) ([][]string, []int, *RowError) {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	var records [][]string
	var lines []int
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return records, lines, nil
		}
		if err != nil {
			var pe *csv.ParseError
			line := len(records) + 1
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, nil, &RowError{Row: line, Message: "CSV 格式错误：" + err.Error()}
		}
		line, _ := r.FieldPos(0)
		for i := range rec {
			rec[i] = csvUnsafe(rec[i])
		}
		records = append(records, rec)
		lines = append(lines, line)
	}
}

// readXLSX reads the first sheet into records and their row numbers, after checking that the
// file stays within the import limits once unpacked (a small upload must not expand without
// bound: see sheet.InspectXLSX).
func readXLSX(data []byte) ([][]string, []int, error) {
	limits := sheet.ImportLimits(MaxImportRows)
	if err := sheet.InspectXLSX(data, limits); err != nil {
		return nil, nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), limits.OpenOptions())
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, errors.New("没有工作表")
	}
	rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, nil, err
	}
	nos := make([]int, len(rows))
	for i := range rows {
		nos[i] = i + 1
	}
	// Leading empty rows are not the header.
	for len(rows) > 0 && len(strings.TrimSpace(strings.Join(rows[0], ""))) == 0 {
		rows, nos = rows[1:], nos[1:]
	}
	return rows, nos, nil
}

// writeCSV writes the header and rows as UTF-8 CSV with a BOM (so Excel shows Chinese).
// Cells that a spreadsheet would run as a formula are neutralised (see csvSafe).
func writeCSV(rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\xEF\xBB\xBF")
	w := csv.NewWriter(&buf)
	if err := w.Write(tableHeaders); err != nil {
		return nil, err
	}
	for _, r := range rows {
		safe := make([]string, len(r))
		for i, v := range r {
			safe[i] = csvSafe(v)
		}
		if err := w.Write(safe); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// formulaStart are the first characters that make Excel or WPS read a CSV cell as a formula.
const formulaStart = "=+-@\t\r"

// csvSafe prefixes a cell that would start a formula with an apostrophe (CSV injection: banks
// are written by admins of lower units and exported by the county); csvUnsafe undoes it on
// import, so export → import is unchanged.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune(formulaStart, rune(v[0])) {
		return "'" + v
	}
	return v
}

func csvUnsafe(v string) string {
	if len(v) > 1 && v[0] == '\'' && strings.ContainsRune(formulaStart, rune(v[1])) {
		return v[1:]
	}
	return v
}

// writeXLSX writes the header and rows to the sheet "题目", every cell as text, plus optional
// notes on a second sheet.
func writeXLSX(rows [][]string, notes []string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "题目"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": keep cells as text
	if err != nil {
		return nil, err
	}
	if err := sw.SetColWidth(2, 2, 60); err != nil {
		return nil, err
	}
	if err := sw.SetColWidth(3, 10, 18); err != nil {
		return nil, err
	}
	if err := sw.SetColWidth(12, 12, 40); err != nil {
		return nil, err
	}
	header := make([]any, len(tableHeaders))
	for i, h := range tableHeaders {
		header[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return nil, err
	}
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, v := range r {
			cells[j] = excelize.Cell{StyleID: text, Value: v}
		}
		cellName, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cellName, cells); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	if len(notes) > 0 {
		if _, err := f.NewSheet("填写说明"); err != nil {
			return nil, err
		}
		for i, n := range notes {
			if err := f.SetCellStr("填写说明", fmt.Sprintf("A%d", i+1), n); err != nil {
				return nil, err
			}
		}
		if err := f.SetColWidth("填写说明", "A", "A", 100); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
