package questionbank_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/questionbank"
)

var header = []string{"题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "选项G", "选项H", "答案", "解析", "法律名称", "条款", "施行日期", "难度", "标签", "状态"}

// csvOf writes rows (after the standard header) as CSV.
func csvOf(t *testing.T, head []string, rows ...[]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	require.NoError(t, w.Write(head))
	require.NoError(t, w.WriteAll(rows))
	return buf.Bytes()
}

// row builds a table row from a few cells: type, stem, options, answer.
func row(typ, stem string, options []string, answer string) []string {
	r := make([]string, len(header))
	r[0], r[1], r[10] = typ, stem, answer
	copy(r[2:10], options)
	return r
}

func download(t *testing.T, e *apitest.Env, token, path string) *apitest.Response {
	t.Helper()
	resp := e.Call(http.MethodGet, path, token, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s: %s", path, resp.Body)
	assert.Contains(t, resp.Header.Get("Content-Disposition"), "attachment; filename=")
	return resp
}

func TestImportTemplateDownloadsAndImports(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		for _, format := range []string{"xlsx", "csv"} {
			resp := download(t, e, admin, "/api/v1/questions/import-template?format="+format)
			bank := newBank(t, e, admin, map[string]any{"name": "模板测试" + format, "subject": "综合"})
			if format == "csv" {
				assert.Equal(t, questionbank.ContentTypeCSV, resp.Header.Get("Content-Type"))
				assert.True(t, bytes.HasPrefix(resp.Body, []byte("\xEF\xBB\xBF题型,题干,选项A")), "UTF-8 BOM and the header")
			} else {
				assert.Equal(t, questionbank.ContentTypeXLSX, resp.Header.Get("Content-Type"))
				f, err := excelize.OpenReader(bytes.NewReader(resp.Body))
				require.NoError(t, err)
				assert.Equal(t, []string{"题目", "填写说明"}, f.GetSheetList())
				require.NoError(t, f.Close())
			}
			imported := upload(t, e, admin, bank, "template."+format, resp.Body, "")
			require.Equal(t, http.StatusOK, imported.Status, "%s", imported.Body)
			res := imported.Map(t)
			assert.EqualValues(t, 4, res["created"], "the template's examples are valid")
			assert.Equal(t, []any{}, res["errors"])
		}
		assert.Equal(t, http.StatusBadRequest, e.Call(http.MethodGet, "/api/v1/questions/import-template?format=pdf", admin, nil).Status)
	})
}

// Import → export → import gives the same bank, in CSV and in xlsx.
func TestImportExportRoundTrip(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		source, err := os.ReadFile("demo_questions.csv")
		require.NoError(t, err)
		a := newBank(t, e, admin, map[string]any{"name": "A", "subject": "综合"})
		b := newBank(t, e, admin, map[string]any{"name": "B", "subject": "综合"})
		c := newBank(t, e, admin, map[string]any{"name": "C", "subject": "综合"})
		exportOf := func(bank int64, format string) []byte {
			return download(t, e, admin, fmt.Sprintf("/api/v1/question-banks/%d/questions/export?format=%s", bank, format)).Body
		}
		// Bank A also holds a draft and a retired question, so status round-trips too.
		extra := csvOf(t, header,
			append(row("判断", "草稿状态的题目。", nil, "错")[:17], "草稿"),
			append(row("填空", "已停用的题目____。", nil, "甲|乙")[:17], "已停用"),
			row("单选", "=HYPERLINK(\"http://example.com\",\"点击\")", []string{"+1", "-1", "@SUM(A1)"}, "A"))
		for _, file := range [][]byte{source, extra} {
			resp := upload(t, e, admin, a, "a.csv", file, "")
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		}
		require.EqualValues(t, 75, countQuestions(t, e, a))

		csvA := exportOf(a, "csv")
		assert.Contains(t, string(csvA), `'=HYPERLINK(`, "formula-like cells are neutralised in CSV")
		assert.Contains(t, string(csvA), `'+1,'-1,'@SUM(A1)`)
		require.Equal(t, http.StatusOK, upload(t, e, admin, b, "a.csv", csvA, "").Status)
		csvB := exportOf(b, "csv")
		assert.Equal(t, string(csvA), string(csvB), "CSV export → import → export is unchanged")

		xlsxB := exportOf(b, "xlsx")
		require.Equal(t, http.StatusOK, upload(t, e, admin, c, "b.xlsx", xlsxB, "").Status)
		assert.Equal(t, string(csvA), string(exportOf(c, "csv")), "xlsx export → import keeps every field")

		// The questions themselves match field by field (ids and bank aside).
		list := func(bank int64) []map[string]any {
			items := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/question-banks/%d/questions?page_size=100", bank), admin, nil).Map(t)["items"].([]any)
			out := make([]map[string]any, 0, len(items))
			for _, it := range items {
				m := it.(map[string]any)
				for _, k := range []string{"id", "bank_id", "created_at", "updated_at"} {
					delete(m, k)
				}
				out = append(out, m)
			}
			return out
		}
		assert.Equal(t, list(a), list(c))

		// Importing the same file again only reports duplicates.
		again := upload(t, e, admin, a, "a.csv", csvA, "").Map(t)
		assert.EqualValues(t, 0, again["created"])
		assert.EqualValues(t, 75, again["skipped_duplicates"])
		assert.Len(t, again["duplicates"], 75)
	})
}

func TestImportAllOrNothingAndPartial(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		bank := newBank(t, e, admin, map[string]any{"name": "华阳镇题库", "subject": "综合"})
		existing := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/question-banks/%d/questions", bank), admin, map[string]any{"type": "judge", "stem": "已有的题目。", "answer": "对"})
		existingID := idOf(t, existing.Map(t))
		badDifficulty := row("判断", "难度错误的题。", nil, "对")
		badDifficulty[15] = "9"
		file := csvOf(t, header,
			row("单选", "正确的单选题。", []string{"甲", "乙"}, "B"),  // row 2
			row("单选", "答案不在选项中。", []string{"甲", "乙"}, "E"), // row 3
			row("判断", "已有的题目", nil, "错"),                   // row 4: duplicate of the bank's question
			row("判断", "正确的单选题", nil, "对"),                  // row 5: duplicate of row 2
			row("问答", "题型错误。", nil, "x"),                   // row 6
			badDifficulty,               // row 7
			make([]string, len(header)), // row 8: blank, skipped
			row("判断", "带选项的判断题。", []string{"甲", "乙"}, "对"),       // row 9
			row("填空", "没有答案的填空题。", nil, ""),                      // row 10
			row("多选", "正确的多选题。", []string{"甲", "乙", "丙"}, "C、A"), // row 11
		)
		rejected := upload(t, e, admin, bank, "q.csv", file, "")
		require.Equal(t, http.StatusUnprocessableEntity, rejected.Status, "%s", rejected.Body)
		assert.Equal(t, "question.import_invalid", rejected.ErrorCode())
		report := rejected.Map(t)["result"].(map[string]any)
		var got []string
		for _, e := range report["errors"].([]any) {
			m := e.(map[string]any)
			got = append(got, fmt.Sprintf("%v:%v", m["row"], m["column"]))
		}
		assert.Equal(t, []string{"3:答案", "6:题型", "7:难度", "9:选项", "10:答案"}, got)
		assert.EqualValues(t, 0, report["created"])
		assert.Equal(t, []any{
			map[string]any{"row": 4.0, "question_id": float64(existingID), "duplicate_of_row": nil},
			map[string]any{"row": 5.0, "question_id": nil, "duplicate_of_row": 2.0},
		}, report["duplicates"])
		assert.EqualValues(t, 1, countQuestions(t, e, bank), "nothing written")

		partial := upload(t, e, admin, bank, "q.csv", file, "?partial=true")
		require.Equal(t, http.StatusOK, partial.Status, "%s", partial.Body)
		res := partial.Map(t)
		assert.EqualValues(t, 2, res["created"])
		assert.EqualValues(t, 2, res["skipped_duplicates"])
		assert.Len(t, res["errors"], 5)
		assert.EqualValues(t, 3, countQuestions(t, e, bank))
		multi := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/question-banks/%d/questions?type=multiple", bank), admin, nil).Map(t)
		assert.Equal(t, "AC", multi["items"].([]any)[0].(map[string]any)["answer"])

		var versions int64
		require.NoError(t, e.DB.Table("question_versions").Joins("JOIN questions ON questions.id = question_versions.question_id").
			Where("questions.bank_id = ?", bank).Count(&versions).Error)
		assert.EqualValues(t, 3, versions, "every imported published question has its version 1")
	})
}

func TestImportGIFT(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		bank := newBank(t, e, admin, map[string]any{"name": "GIFT", "subject": "综合"})
		good := "// 宪法\n::q1:: 我国的根本制度是 {=社会主义制度 ~人民代表大会制度}\n\n宪法是国家的根本法。{T}\n\n" +
			"行政处罚种类有 {~%50%警告 ~%50%罚款 ~%-100%记过 ####见行政处罚法第九条}\n\n十八周岁以上的自然人为 {=成年人 =成年自然人} 。\n"
		bad := good + "\n坏题 {=a ~b\n\n数值题 {#3}\n"
		rejected := upload(t, e, admin, bank, "bank.gift", []byte(bad), "")
		require.Equal(t, http.StatusUnprocessableEntity, rejected.Status, "%s", rejected.Body)
		errs := rejected.Map(t)["result"].(map[string]any)["errors"].([]any)
		require.Len(t, errs, 2)
		assert.EqualValues(t, 10, errs[0].(map[string]any)["row"], "errors carry line numbers")
		assert.Contains(t, errs[0].(map[string]any)["message"], "}")
		assert.EqualValues(t, 12, errs[1].(map[string]any)["row"])
		assert.Zero(t, countQuestions(t, e, bank))

		ok := upload(t, e, admin, bank, "bank.txt", []byte(good), "")
		require.Equal(t, http.StatusOK, ok.Status, "%s", ok.Body)
		assert.EqualValues(t, 4, ok.Map(t)["created"])
		fill := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/question-banks/%d/questions?type=fill", bank), admin, nil).Map(t)["items"].([]any)[0].(map[string]any)
		assert.Equal(t, "十八周岁以上的自然人为____。", fill["stem"])
		assert.Equal(t, "成年人|成年自然人", fill["answer"])
		multi := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/question-banks/%d/questions?type=multiple", bank), admin, nil).Map(t)["items"].([]any)[0].(map[string]any)
		assert.Equal(t, "AB", multi["answer"])
		assert.Equal(t, "见行政处罚法第九条", multi["analysis"])
	})
}

func TestImportBadFiles(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		bank := newBank(t, e, admin, map[string]any{"name": "华阳镇题库", "subject": "综合"})
		png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
		cases := []struct {
			name   string
			file   string
			data   []byte
			status int
			code   string
		}{
			{"pdf", "bank.pdf", []byte("%PDF-1.4"), 415, "question.import_unsupported_format"},
			{"image named csv", "bank.csv", png, 415, "question.import_unsupported_format"},
			{"utf-16 text (binary)", "bank.csv", []byte{0xFF, 0xFE, 0x41, 0x00}, 415, "question.import_unsupported_format"},
			{"old xls", "bank.xls", []byte{0xD0, 0xCF, 0x11, 0xE0}, 415, "question.import_unsupported_format"},
			{"no extension", "bank", []byte("题型,题干"), 415, "question.import_unsupported_format"},
			{"text named xlsx", "bank.xlsx", []byte("题型,题干,答案"), 422, "question.import_unreadable"},
			{"broken zip named xlsx", "bank.xlsx", []byte("PK\x03\x04garbage"), 422, "question.import_unreadable"},
			{"header only", "bank.csv", csvOf(t, header), 422, "question.import_empty"},
			{"empty gift", "bank.gift", []byte("// only a comment\n"), 422, "question.import_empty"},
			{"missing required column", "bank.csv", csvOf(t, []string{"题型", "题干"}, []string{"判断", "题"}), 422, "question.import_invalid"},
			{"unknown column", "bank.csv", csvOf(t, append([]string{"备注"}, header...), append([]string{"x"}, row("判断", "题", nil, "对")...)), 422, "question.import_invalid"},
			{"broken csv quoting", "bank.csv", []byte("题型,题干,答案\n判断,\"未闭合,对\n"), 422, "question.import_invalid"},
			{"not utf-8 nor gb18030", "bank.csv", []byte{0xFF, 0xFF, 0x41, 0x80, 0x0A}, 422, "question.import_unreadable"},
		}
		for _, c := range cases {
			resp := upload(t, e, admin, bank, c.file, c.data, "")
			assert.Equal(t, c.status, resp.Status, "%s: %s", c.name, resp.Body)
			assert.Equal(t, c.code, resp.ErrorCode(), c.name)
		}
		missing := upload(t, e, admin, bank, "bank.csv", csvOf(t, []string{"题型", "题干"}, []string{"判断", "题"}), "").Map(t)
		assert.Equal(t, map[string]any{"row": 1.0, "column": "答案", "message": "缺少必需的列"}, missing["result"].(map[string]any)["errors"].([]any)[0])

		notMultipart := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/question-banks/%d/questions/import", bank), admin, map[string]any{"file": "x"})
		assert.Equal(t, http.StatusBadRequest, notMultipart.Status)
		assert.Equal(t, []string{"file"}, notMultipart.ErrorFields())

		var buf bytes.Buffer
		buf.WriteString("--XX\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nvalue\r\n--XX--\r\n")
		noFile := e.Do(apitest.Request{Method: http.MethodPost, Path: fmt.Sprintf("/api/v1/question-banks/%d/questions/import", bank),
			Token: admin, Body: buf.Bytes(), Headers: map[string]string{"Content-Type": "multipart/form-data; boundary=XX"}})
		assert.Equal(t, http.StatusUnprocessableEntity, noFile.Status, "%s", noFile.Body)
		assert.Equal(t, "question.import_no_file", noFile.ErrorCode())

		// A 20 MB upload is refused before anything is read, and while reading when the size
		// is not announced.
		big := bytes.Repeat([]byte("判断,很长的题目,,,,,,,,,对,,,,,,,\n"), 20<<20/40)
		tooBig := upload(t, e, admin, bank, "big.csv", big, "")
		assert.Equal(t, http.StatusRequestEntityTooLarge, tooBig.Status)
		assert.Equal(t, "request.body_too_large", tooBig.ErrorCode())
		r := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/api/v1/question-banks/%d/questions/import", bank), io.MultiReader(
			strings.NewReader("--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n\r\n"), bytes.NewReader(big),
			strings.NewReader("\r\n--XX--\r\n")))
		r.ContentLength = -1
		r.Header.Set("Content-Type", "multipart/form-data; boundary=XX")
		r.Header.Set("Authorization", "Bearer "+admin)
		w := httptest.NewRecorder()
		e.App.Server.Handler().ServeHTTP(w, r)
		assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
		assert.Zero(t, countQuestions(t, e, bank), "nothing written by any bad file")

		// Another township's admin cannot import into the bank.
		other := upload(t, e, e.Token("linxi-admin"), bank, "ok.csv", csvOf(t, header, row("判断", "题", nil, "对")), "")
		assert.Equal(t, http.StatusNotFound, other.Status)
	})
}

// Excel from a Chinese desktop: a GB18030 CSV, and an xlsx whose date and numbers are typed cells.
func TestImportDesktopFiles(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		bank := newBank(t, e, admin, map[string]any{"name": "华阳镇题库", "subject": "综合"})
		gbk, err := simplifiedchinese.GB18030.NewEncoder().Bytes(csvOf(t, header, row("判断", "中文编码的题目。", nil, "√")))
		require.NoError(t, err)
		resp := upload(t, e, admin, bank, "gbk.csv", gbk, "")
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		assert.EqualValues(t, 1, resp.Map(t)["created"])

		f := excelize.NewFile()
		for i, h := range []string{"序号", "题型*", "题干", "选项a", "选项b", "答案", "施行日期", "难度", "标签"} {
			cell, _ := excelize.CoordinatesToCellName(i+1, 1)
			require.NoError(t, f.SetCellValue("Sheet1", cell, h))
		}
		require.NoError(t, f.SetSheetRow("Sheet1", "A2", &[]any{1, "单选题", "Excel 单元格类型的题目。", "甲", "乙", "b", time.Date(2021, 7, 15, 0, 0, 0, 0, time.UTC), 4, "行政处罚法，执法"}))
		dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
		require.NoError(t, err)
		require.NoError(t, f.SetCellStyle("Sheet1", "G2", "G2", dateStyle))
		var buf bytes.Buffer
		require.NoError(t, f.Write(&buf))
		resp = upload(t, e, admin, bank, "typed.XLSX", buf.Bytes(), "")
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		q := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/question-banks/%d/questions?type=single", bank), admin, nil).Map(t)["items"].([]any)[0].(map[string]any)
		assert.Equal(t, "B", q["answer"])
		assert.EqualValues(t, 4, q["difficulty"])
		assert.Equal(t, []any{"行政处罚法", "执法"}, q["tags"])
		assert.Equal(t, "2021-07-15", q["legal_basis"].(map[string]any)["effective_date"])
	})
}

// A large import crosses the insert batches on every dialect.
func TestImportManyRows(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		bank := newBank(t, e, admin, map[string]any{"name": "大题库", "subject": "综合"})
		rows := make([][]string, 0, 1001)
		for i := range 1001 {
			rows = append(rows, row("单选", fmt.Sprintf("第 %d 题：下列说法正确的是（ ）。", i+1), []string{"甲", "乙", "丙", "丁"}, "C"))
		}
		resp := upload(t, e, admin, bank, "many.csv", csvOf(t, header, rows...), "")
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		assert.EqualValues(t, 1001, resp.Map(t)["created"])
		var mismatched int64
		require.NoError(t, e.DB.Table("questions").Joins("LEFT JOIN question_versions v ON v.question_id = questions.id AND v.version = 1").
			Where("questions.bank_id = ? AND (v.id IS NULL OR v.stem <> questions.stem)", bank).Count(&mismatched).Error)
		assert.Zero(t, mismatched, "each question has its own version-1 snapshot")
	})
}
