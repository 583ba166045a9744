package learner_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/learner"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// The response validator decodes bodies by content type; an xlsx body is an opaque file.
func init() { openapi3filter.RegisterBodyDecoder(xlsxType, openapi3filter.FileBodyDecoder) }

var templateHeader = []string{"姓名", "单位", "学习类别", "职务", "手机号", "身份证号"}

// seededIDCard is the ID number `xuefa seed` gives its i-th demo learner (张伟 is 0).
func seededIDCard(i int) string {
	return learner.CompleteIDCard(fmt.Sprintf("341824198%d0%d1%d%03d", i%10, 1+i%9, i%3, 100+i))
}

func xlsxFile(t testing.TB, header []string, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	require.NoError(t, f.SetSheetRow("Sheet1", "A1", &header))
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		require.NoError(t, f.SetSheetRow("Sheet1", cell, &r))
	}
	buf, err := f.WriteToBuffer()
	require.NoError(t, err)
	return buf.Bytes()
}

func csvFile(t testing.TB, header []string, rows [][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	require.NoError(t, w.Write(header))
	require.NoError(t, w.WriteAll(rows))
	return buf.Bytes()
}

// upload posts data as multipart field "file".
func upload(e *apitest.Env, token, query, filename string, data []byte) *apitest.Response {
	e.T.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("file", filename)
	require.NoError(e.T, err)
	_, err = part.Write(data)
	require.NoError(e.T, err)
	require.NoError(e.T, mw.Close())
	return e.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/learners/import" + query, Token: token, Body: body.Bytes(),
		Headers: map[string]string{"Content-Type": mw.FormDataContentType()}})
}

type importResult struct {
	Rows        int `json:"rows"`
	Created     int `json:"created"`
	Updated     int `json:"updated"`
	Unchanged   int `json:"unchanged"`
	InvalidRows int `json:"invalid_rows"`
	Errors      []struct {
		Row     int    `json:"row"`
		Column  string `json:"column"`
		Message string `json:"message"`
	} `json:"errors"`
}

// result decodes an import answer: the body on 200, the failure's result on 422.
func result(t *testing.T, resp *apitest.Response) importResult {
	t.Helper()
	if resp.Status == http.StatusOK {
		var r importResult
		resp.JSON(t, &r)
		return r
	}
	var failure struct {
		Result importResult `json:"result"`
	}
	resp.JSON(t, &failure)
	return failure.Result
}

// cells lists the (row, column) pairs of the errors, in order.
func (r importResult) cells() []string {
	out := make([]string, 0, len(r.Errors))
	for _, e := range r.Errors {
		out = append(out, fmt.Sprintf("%d %s", e.Row, e.Column))
	}
	return out
}

func count(t *testing.T, e *apitest.Env, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := e.DB.Table(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	require.NoError(t, q.Count(&n).Error)
	return n
}

func TestImportTemplate(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")

		resp := e.Call(http.MethodGet, "/api/v1/learners/import-template", admin, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		assert.Equal(t, xlsxType, resp.Header.Get("Content-Type"))
		assert.Contains(t, resp.Header.Get("Content-Disposition"), "attachment")
		assert.Contains(t, resp.Header.Get("Content-Disposition"), ".xlsx")
		f, err := excelize.OpenReader(bytes.NewReader(resp.Body))
		require.NoError(t, err)
		defer f.Close()
		assert.Equal(t, []string{"学员", "说明", "单位"}, f.GetSheetList())
		rows, err := f.GetRows("学员")
		require.NoError(t, err)
		require.Len(t, rows, 1, "the data sheet holds the header only")
		assert.Equal(t, append(templateHeader, "学员编号"), rows[0])
		comments, err := f.GetComments("学员")
		require.NoError(t, err)
		assert.Len(t, comments, 7, "every header cell explains its column")
		validations, err := f.GetDataValidations("学员")
		require.NoError(t, err)
		assert.Len(t, validations, 2, "drop-downs for 学习类别 and 单位")
		help, err := f.GetRows("说明")
		require.NoError(t, err)
		assert.Contains(t, fmt.Sprint(help), "13800001234", "the example row is on the 说明 sheet")
		units, err := f.GetRows("单位")
		require.NoError(t, err)
		assert.Equal(t, [][]string{{"单位代码", "单位路径"}, {"huayang", "绩溪县/华阳镇"}}, units, "a township admin sees their own subtree")

		imported := upload(e, admin, "", "学员导入模板.xlsx", resp.Body)
		require.Equal(t, http.StatusOK, imported.Status, "%s", imported.Body)
		assert.Equal(t, importResult{Errors: result(t, imported).Errors}, result(t, imported), "the template imports to nothing")
		assert.Empty(t, result(t, imported).Errors)

		csvResp := e.Call(http.MethodGet, "/api/v1/learners/import-template?format=csv", admin, nil)
		require.Equal(t, http.StatusOK, csvResp.Status)
		assert.Equal(t, "text/csv; charset=utf-8", csvResp.Header.Get("Content-Type"))
		assert.Equal(t, "\uFEFF姓名,单位,学习类别,职务,手机号,身份证号,学员编号\n", string(csvResp.Body))
		imported = upload(e, admin, "", "template.csv", csvResp.Body)
		require.Equal(t, http.StatusOK, imported.Status, "%s", imported.Body)
		assert.Zero(t, result(t, imported).Rows)

		bad := e.Call(http.MethodGet, "/api/v1/learners/import-template?format=pdf", admin, nil)
		assert.Equal(t, http.StatusBadRequest, bad.Status)
		assert.Equal(t, []string{"format"}, bad.ErrorFields())
	})
}

func TestImportCreatesUpdatesAndLeavesUnchanged(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		newID := learner.CompleteIDCard("34182419850505123")
		file := xlsxFile(t, templateHeader, [][]string{
			{"钱一", "huayang", "领航", "镇长", "13900000001", newID},                               // new, unit by code
			{"孙二", "绩溪县/临溪镇", "judicial", "", "139 0000 0002", ""},                            // new, unit by path, no ID
			{"张伟", "华阳镇", "普及", "副科长", "13800000001", ""},                                     // 张伟 by phone: position changes
			{"王芳", "huayang", "领航工程", "副镇长", "13800000002", strings.ToLower(seededIDCard(1))}, // 王芳 by ID: as she is
		})
		resp := upload(e, admin, "", "learners.xlsx", file)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		res := result(t, resp)
		assert.Equal(t, importResult{Rows: 4, Created: 2, Updated: 1, Unchanged: 1, Errors: res.Errors}, res)
		assert.Empty(t, res.Errors)
		assertNoPII(t, string(resp.Body))

		assert.EqualValues(t, 14, count(t, e, "learners", ""))
		var qian struct {
			Track, Position     string
			UnitID, AccountID   int64
			IDCardEnc           string
			MustChangePassword  bool
			Role, DisplayName   string
			PasswordHash, Phone string
		}
		require.NoError(t, e.DB.Table("learners").Select("learners.track, learners.position, learners.unit_id, learners.account_id, learners.id_card_enc, accounts.must_change_password, accounts.role, accounts.display_name").
			Joins("JOIN accounts ON accounts.id = learners.account_id").Where("learners.name = ?", "钱一").Scan(&qian).Error)
		assert.Equal(t, "leader", qian.Track)
		assert.Equal(t, "镇长", qian.Position)
		assert.Equal(t, e.UnitID("huayang"), qian.UnitID)
		assert.Equal(t, "learner", qian.Role)
		assert.Equal(t, "钱一", qian.DisplayName)
		assert.True(t, qian.MustChangePassword)
		assert.NotContains(t, qian.IDCardEnc, "341824", "the ID number is sealed")
		assert.EqualValues(t, 1, count(t, e, "learners", "name = ? AND unit_id = ? AND track = 'judicial' AND id_card_enc IS NULL", "孙二", e.UnitID("linxi")))
		assert.EqualValues(t, 1, count(t, e, "learners", "name = ? AND position = ?", "张伟", "副科长"))

		// An imported learner has no usable password until an admin gives them one.
		login := e.Call(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "13900000001", "password": "Xuefa@2026"})
		assert.Equal(t, http.StatusUnauthorized, login.Status)
		var qianID int64
		require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", "钱一").Scan(&qianID).Error)
		reset := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/learners/%d/password-reset", qianID), admin, nil)
		require.Equal(t, http.StatusOK, reset.Status, "%s", reset.Body)
		assert.Equal(t, "no-store", reset.Header.Get("Cache-Control"))
		tokens := e.Login("13900000001", reset.Map(t)["initial_password"].(string))
		assert.Equal(t, true, tokens["account"].(map[string]any)["must_change_password"])

		assert.EqualValues(t, 1, count(t, e, "audit_logs", "action = 'learner.import'"))
		assert.EqualValues(t, 1, count(t, e, "audit_logs", "action = 'account.reset_password'"))

		// The same file again is harmless: every row now matches and nothing changes.
		again := result(t, upload(e, admin, "", "learners.xlsx", file))
		assert.Equal(t, importResult{Rows: 4, Unchanged: 4, Errors: again.Errors}, again)
	})
}

func TestImportRejectsBadRowsAndWritesNothing(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		// An admin account holding a phone number (not a learner).
		staff := e.Call(http.MethodPost, "/api/v1/accounts", e.Token("admin"), map[string]any{
			"username": "clerk", "display_name": "办事员", "role": "lecturer", "unit_id": e.UnitID("huayang"), "phone": "13700000009"})
		require.Equal(t, http.StatusCreated, staff.Status, "%s", staff.Body)

		good := []string{"钱一", "huayang", "普及", "", "13900000001", ""}
		rows := [][]string{
			good, // row 2
			{"孙二", "nowhere", "普及", "", "13900000002", ""},                                          // 3: unknown unit
			{"周三", "linxi", "普及", "", "13900000003", ""},                                            // 4: unit outside the subtree
			{"吴四", "huayang", "普及", "", "13900000004", "110105194912310021"},                        // 5: bad checksum
			{"郑五", "huayang", "普及", "", "1390000000", ""},                                           // 6: bad phone
			{"冯六", "huayang", "普及", "", "13900000001", ""},                                          // 7: phone repeats row 2
			{"陈七", "huayang", "普及", "", "13900000007", learner.CompleteIDCard("34182419900101123")}, // 8
			{"褚八", "huayang", "普及", "", "13900000008", learner.CompleteIDCard("34182419900101123")}, // 9: ID repeats row 8
			{"卫九", "huayang", "专家", "", "13900000009", ""},                                          // 10: unknown track
			{"蒋", "huayang", "普及", "", "13900000010", ""},                                           // 11: one-character name
			{"沈十", "huayang", "普及", "", "13700000009", ""},                                          // 12: phone of a staff account
			{"韩十一", "huayang", "普及", "", "13800000004", ""},                                         // 13: phone of 刘洋 of 临溪镇
			{"杨十二", "huayang", "普及", "", "13900000013", seededIDCard(3)},                            // 14: ID of 刘洋 of 临溪镇
			{"朱十三", "", "", "", "", ""},                                                             // 15: required cells
			{"王芳", "huayang", "领航", "副镇长", "13800000001", seededIDCard(1)},                          // 16: 王芳 by ID, with 张伟's phone
		}
		resp := upload(e, admin, "", "bad.csv", csvFile(t, templateHeader, rows))
		require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s", resp.Body)
		assert.Equal(t, "learner.import_invalid", resp.ErrorCode())
		res := result(t, resp)
		assert.Equal(t, []string{
			"3 单位", "4 单位", "5 身份证号", "6 手机号", "7 手机号", "9 身份证号", "10 学习类别", "11 姓名",
			"12 手机号", "13 手机号", "14 身份证号", "15 单位", "15 学习类别", "15 手机号", "16 手机号",
		}, res.cells())
		assert.Equal(t, 13, res.InvalidRows)
		assert.Equal(t, 15, res.Rows)
		assert.Zero(t, res.Created)
		for _, e := range res.Errors {
			if e.Row == 4 {
				assert.Equal(t, "单位不存在或不在管辖范围内", e.Message)
			}
			if e.Row == 7 {
				assert.Equal(t, "与第 2 行的手机号重复", e.Message)
			}
			if e.Row == 13 {
				assert.Equal(t, "手机号已被其他账号使用", e.Message)
			}
		}
		assert.EqualValues(t, 12, count(t, e, "learners", ""), "nothing written")
		assert.EqualValues(t, 0, count(t, e, "accounts", "display_name = ?", "钱一"))

		// partial=true keeps the good rows and reports the rest.
		resp = upload(e, admin, "?partial=true", "bad.csv", csvFile(t, templateHeader, rows))
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		res = result(t, resp)
		assert.Equal(t, 2, res.Created, "rows 2 and 8")
		assert.Equal(t, 13, res.InvalidRows)
		assert.Len(t, res.Errors, 15)
		assert.EqualValues(t, 14, count(t, e, "learners", ""))
		assert.EqualValues(t, 1, count(t, e, "learners", "name = ?", "钱一"))
		assert.EqualValues(t, 1, count(t, e, "learners", "name = ?", "陈七"))
	})
}

// A file full of mistakes answers with the first 1,000 row errors and the count of them all.
func TestImportCapsTheErrorList(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		rows := make([][]string, 0, 1200)
		for i := range 1200 {
			rows = append(rows, []string{fmt.Sprintf("学员%04d", i), "huayang", "普及", "", "12345", ""})
		}
		resp := upload(e, e.Token("admin"), "", "bad.csv", csvFile(t, templateHeader, rows))
		require.Equal(t, http.StatusUnprocessableEntity, resp.Status)
		res := result(t, resp)
		assert.Equal(t, 1200, res.InvalidRows)
		assert.Len(t, res.Errors, 1000)
		assert.Equal(t, 1001, res.Errors[999].Row)
	})
}

func TestImportHeaderAndFileErrors(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		row := [][]string{{"钱一", "huayang", "普及", "", "13900000001", ""}}

		resp := upload(e, admin, "?partial=true", "x.xlsx", xlsxFile(t, []string{"姓名", "单位", "学习类别", "职务", "邮箱", "身份证号"}, row))
		require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s", resp.Body)
		assert.Equal(t, "learner.import_bad_header", resp.ErrorCode())
		assert.Equal(t, []string{"1 邮箱", "1 手机号"}, result(t, resp).cells(), "unknown and missing columns, on row 1")

		// Columns may come in any order and under their API names.
		resp = upload(e, admin, "", "x.csv", csvFile(t, []string{"phone", "name", "unit", "track", "position", "id_card"},
			[][]string{{"13900000001", "钱一", "huayang", "general", "", ""}}))
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		assert.Equal(t, 1, result(t, resp).Created)

		// Excel on Chinese Windows writes CSV in GB 18030.
		gbk, err := simplifiedchinese.GB18030.NewEncoder().String("姓名,单位,学习类别,职务,手机号,身份证号\n孙二,huayang,普及,科员,13900000002,\n")
		require.NoError(t, err)
		resp = upload(e, admin, "", "gbk.csv", []byte(gbk))
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		assert.EqualValues(t, 1, count(t, e, "learners", "name = ? AND position = ?", "孙二", "科员"))

		for name, c := range map[string]struct {
			data   []byte
			status int
			code   string
		}{
			"png":         {[]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), http.StatusUnsupportedMediaType, "learner.import_unsupported_format"},
			"xls":         {[]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, http.StatusUnsupportedMediaType, "learner.import_unsupported_format"},
			"corrupt zip": {[]byte("PK\x03\x04 not really a workbook"), http.StatusUnprocessableEntity, "learner.import_unreadable"},
			"bad quotes":  {[]byte("姓名,单位,学习类别,职务,手机号,身份证号\n钱一,\"hua\"yang,普及,,13900000001,\n"), http.StatusUnprocessableEntity, "learner.import_unreadable"},
		} {
			resp := upload(e, admin, "", name, c.data)
			assert.Equal(t, c.status, resp.Status, "%s: %s", name, resp.Body)
			assert.Equal(t, c.code, resp.ErrorCode(), name)
		}

		quotes := upload(e, admin, "", "q.csv", []byte("姓名,单位,学习类别,职务,手机号,身份证号\n钱一,\"hua\"yang,普及,,13900000001,\n"))
		assert.Contains(t, quotes.Map(t)["error"].(map[string]any)["message"], "第 2 行", "the line at fault is named")

		noFile := e.Call(http.MethodPost, "/api/v1/learners/import", admin, map[string]any{"rows": []string{}})
		assert.Equal(t, http.StatusBadRequest, noFile.Status)
		assert.Equal(t, "learner.import_file_required", noFile.ErrorCode())
	})
}

// The import route takes bodies up to 10 MiB (the server's default stays 1 MiB elsewhere).
func TestImportBodyLimit(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		padded := append(csvFile(t, templateHeader, nil), bytes.Repeat([]byte("\n"), 2<<20)...)
		resp := upload(e, admin, "", "big.csv", padded)
		require.Equal(t, http.StatusOK, resp.Status, "2 MiB is over the default limit but fine here: %s", resp.Body)
		assert.Zero(t, result(t, resp).Rows)

		resp = upload(e, admin, "", "huge.csv", append(padded, bytes.Repeat([]byte("\n"), 9<<20)...))
		assert.Equal(t, http.StatusRequestEntityTooLarge, resp.Status)
		assert.Equal(t, "request.body_too_large", resp.ErrorCode())

		// Without Content-Length the limit still applies while the upload is read.
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		part, err := mw.CreateFormFile("file", "huge.csv")
		require.NoError(t, err)
		_, err = part.Write(bytes.Repeat([]byte("\n"), 11<<20))
		require.NoError(t, err)
		require.NoError(t, mw.Close())
		r := httptest.NewRequest(http.MethodPost, "/api/v1/learners/import", io.NopCloser(&body))
		r.ContentLength = -1
		r.Header.Set("Content-Type", mw.FormDataContentType())
		r.Header.Set("Authorization", "Bearer "+admin)
		w := httptest.NewRecorder()
		e.App.Server.Handler().ServeHTTP(w, r)
		assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code, "%s", w.Body)

		big := e.Call(http.MethodPost, "/api/v1/learners", admin, `{"name": "`+strings.Repeat("长", 1<<19)+`"}`)
		assert.Equal(t, http.StatusRequestEntityTooLarge, big.Status, "other routes keep the default limit")
	})
}

// BOLA: an admin of township A can neither import into nor export from township B.
func TestImportExportScoping(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		huayang := e.Token("huayang-admin")
		var liuID int64 // 刘洋 of 临溪镇
		require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", "刘洋").Scan(&liuID).Error)
		header := append(templateHeader, "学员编号")
		resp := upload(e, huayang, "?partial=true", "x.csv", csvFile(t, header, [][]string{
			{"刘洋", "huayang", "领航", "镇长", "138****0004", "", fmt.Sprint(liuID)}, // 2: another township's learner by id
			{"刘洋", "huayang", "领航", "镇长", "13800000004", seededIDCard(3), ""},   // 3: … by ID number and phone
			{"刘洋", "linxi", "领航", "镇长", "13900000001", "", ""},                  // 4: into another township
			{"刘洋", "huayang", "领航", "镇长", "138****0004", "", ""},                // 5: masked phone, no match
		}))
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		res := result(t, resp)
		assert.Equal(t, []string{"2 学员编号", "3 身份证号", "4 单位", "5 手机号"}, res.cells())
		assert.Zero(t, res.Created+res.Updated+res.Unchanged)
		assert.EqualValues(t, 1, count(t, e, "learners", "name = ? AND unit_id = ?", "刘洋", e.UnitID("linxi")), "刘洋 untouched")

		export := e.Call(http.MethodGet, "/api/v1/learners/export?format=csv", huayang, nil)
		require.Equal(t, http.StatusOK, export.Status)
		records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(export.Body, []byte("\uFEFF")))).ReadAll()
		require.NoError(t, err)
		assert.Len(t, records, 4, "header and the three 华阳镇 learners")
		assert.NotContains(t, string(export.Body), "刘洋")

		other := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/learners/export?unit_id=%d", e.UnitID("linxi")), huayang, nil)
		assert.Equal(t, http.StatusBadRequest, other.Status)
		assert.Equal(t, []string{"unit_id"}, other.ErrorFields())

		reset := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/learners/%d/password-reset", liuID), huayang, nil)
		assert.Equal(t, http.StatusNotFound, reset.Status)
	})
}

func TestExportImportRoundTrip(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")

		// Masked (the default): the file carries no personal data, and imports back unchanged.
		export := e.Call(http.MethodGet, "/api/v1/learners/export", admin, nil)
		require.Equal(t, http.StatusOK, export.Status, "%s", export.Body)
		assert.Equal(t, xlsxType, export.Header.Get("Content-Type"))
		assert.Equal(t, "no-store", export.Header.Get("Cache-Control"))
		f, err := excelize.OpenReader(bytes.NewReader(export.Body))
		require.NoError(t, err)
		rows, err := f.GetRows("学员")
		require.NoError(t, err)
		require.Len(t, rows, 13)
		assert.Equal(t, append(templateHeader, "学员编号"), rows[0])
		assert.Equal(t, []string{"张伟", "绩溪县/华阳镇", "普及", "科员", "138****0001"}, rows[1][:5])
		assert.Regexp(t, `^3418\*{10}[0-9X]{4}$`, rows[1][5])
		for _, r := range rows[1:] {
			assert.NotContains(t, strings.Join(r, ","), "1380000", "phones are masked")
		}
		resp := upload(e, admin, "", "export.xlsx", export.Body)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		res := result(t, resp)
		assert.Equal(t, importResult{Rows: 12, Unchanged: 12, Errors: res.Errors}, res)

		// An edited export updates just what was edited; a masked cell that does not fit is refused.
		require.NoError(t, f.SetCellStr("学员", "D2", "副科长"))
		require.NoError(t, f.SetCellStr("学员", "C3", "judicial"))
		edited, err := f.WriteToBuffer()
		require.NoError(t, err)
		res = result(t, upload(e, admin, "", "edited.xlsx", edited.Bytes()))
		assert.Equal(t, 2, res.Updated)
		assert.Equal(t, 10, res.Unchanged)
		require.NoError(t, f.SetCellStr("学员", "E4", "138****9999"))
		wrongMask, err := f.WriteToBuffer()
		require.NoError(t, err)
		bad := upload(e, admin, "", "wrong.xlsx", wrongMask.Bytes())
		assert.Equal(t, []string{"4 手机号"}, result(t, bad).cells())
		require.NoError(t, f.Close())

		// Filters match GET /learners.
		leaders := e.Call(http.MethodGet, "/api/v1/learners/export?format=csv&track=leader", admin, nil)
		require.Equal(t, http.StatusOK, leaders.Status)
		assert.Equal(t, 3, bytes.Count(leaders.Body, []byte("\n")), "header and two leaders (王芳 is now judicial)")

		// Revealed: clear values, audited, and it round-trips too.
		revealed := e.Call(http.MethodGet, "/api/v1/learners/export?format=csv&reveal=true", admin, nil)
		require.Equal(t, http.StatusOK, revealed.Status)
		assert.Contains(t, string(revealed.Body), "张伟,绩溪县/华阳镇,普及,副科长,13800000001,"+seededIDCard(0)+",")
		assert.EqualValues(t, 1, count(t, e, "audit_logs", "action = 'learner.export' AND detail LIKE ?", `%"reveal":true%`))
		assert.EqualValues(t, 3, count(t, e, "audit_logs", "action = 'learner.export'"))
		res = result(t, upload(e, admin, "", "revealed.csv", revealed.Body))
		assert.Equal(t, importResult{Rows: 12, Unchanged: 12, Errors: res.Errors}, res)
	})
}

func TestLearnerPasswordResetRefusesLeavers(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		var id int64
		require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", "张伟").Scan(&id).Error)
		require.Equal(t, http.StatusOK, e.Call(http.MethodPost, fmt.Sprintf("/api/v1/learners/%d/leave", id), admin, nil).Status)
		resp := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/learners/%d/password-reset", id), admin, nil)
		assert.Equal(t, http.StatusConflict, resp.Status)
		assert.Equal(t, "learner.already_left", resp.ErrorCode())
	})
}
