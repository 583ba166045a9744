package questionbank_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// demoBankID is the id of the seeded demo bank.
func demoBankID(t *testing.T, e *apitest.Env) int64 {
	t.Helper()
	var id int64
	require.NoError(t, e.DB.Table("question_banks").Select("id").Where("name = ?", questionbank.DemoBankName).Scan(&id).Error)
	require.NotZero(t, id)
	return id
}

// newBank creates a bank through the API and returns its id.
func newBank(t *testing.T, e *apitest.Env, token string, body map[string]any) int64 {
	t.Helper()
	resp := e.Call(http.MethodPost, "/api/v1/question-banks", token, body)
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return int64(resp.Map(t)["id"].(float64))
}

// newLearner provisions a learner-role account in the unit and returns its token.
func newLearner(t *testing.T, e *apitest.Env, username, unitCode string) string {
	t.Helper()
	_, err := e.App.Accounts.Provision(context.Background(), account.ProvisionInput{
		Username: username, DisplayName: username, Role: auth.RoleLearner, UnitID: e.UnitID(unitCode), Password: app.DemoPassword,
	})
	require.NoError(t, err)
	return e.Token(username)
}

// upload posts a file to a bank's import endpoint as multipart field "file".
func upload(t *testing.T, e *apitest.Env, token string, bankID int64, name string, data []byte, query string) *apitest.Response {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, err := w.CreateFormFile("file", name)
	require.NoError(t, err)
	_, err = fw.Write(data)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return e.Do(apitest.Request{
		Method: http.MethodPost, Path: fmt.Sprintf("/api/v1/question-banks/%d/questions/import%s", bankID, query),
		Token: token, Body: buf.Bytes(), Headers: map[string]string{"Content-Type": w.FormDataContentType()},
	})
}

// countQuestions counts a bank's questions in the database.
func countQuestions(t *testing.T, e *apitest.Env, bankID int64) int64 {
	t.Helper()
	var n int64
	require.NoError(t, e.DB.Table("questions").Where("bank_id = ?", bankID).Count(&n).Error)
	return n
}

func idOf(t *testing.T, m map[string]any) int64 {
	t.Helper()
	id, ok := m["id"].(float64)
	require.True(t, ok, "no id in %v", m)
	return int64(id)
}
