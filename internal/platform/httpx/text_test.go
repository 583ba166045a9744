package httpx_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

type textRequest struct {
	Name     string            `json:"name" binding:"required,max=20"`
	Note     *string           `json:"note"`
	Tags     []string          `json:"tags"`
	Labels   map[string]string `json:"labels"`
	Speakers []speaker         `json:"speakers"`
	Password string            `json:"password"`
}

func bindText(t *testing.T, body string) (textRequest, error) {
	t.Helper()
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	var req textRequest
	return req, httpx.BindJSON(c, &req)
}

func TestBindJSONTidiesText(t *testing.T) {
	req, err := bindText(t, `{"name": "  城关镇　", "note": " 第一行\n第二行\t ", "tags": [" a "], "labels": {"k": " v "},
		"speakers": [{"name": " 张三 "}], "password": " Secret#2026 "}`)
	require.NoError(t, err)
	assert.Equal(t, "城关镇", req.Name, "ASCII and ideographic spaces trimmed")
	assert.Equal(t, "第一行\n第二行", *req.Note, "line breaks inside free text stay")
	assert.Equal(t, []string{"a"}, req.Tags)
	assert.Equal(t, "v", req.Labels["k"])
	assert.Equal(t, "张三", req.Speakers[0].Name)
	assert.Equal(t, " Secret#2026 ", req.Password, "secrets arrive byte for byte")

	req, err = bindText(t, `{"name": "法治👨‍⚖️，“宣传”、《宪法》！"}`)
	require.NoError(t, err, "Chinese punctuation and emoji with joiners pass")
	assert.Equal(t, "法治👨‍⚖️，“宣传”、《宪法》！", req.Name)
}

func TestBindJSONRefusesInvisibleText(t *testing.T) {
	for _, tc := range []struct {
		body  string
		field string
	}{
		{`{"name": "   "}`, "name"},
		{`{"name": "a\u0000b"}`, "name"},
		{`{"name": "bell\u0007"}`, "name"},
		{`{"name": "ok", "note": "x\u007f"}`, "note"},
		{`{"name": "ok", "note": "x\u0085"}`, "note"},
		{`{"name": "invoice\u202Efdp.exe"}`, "name"},
		{`{"name": "ok", "tags": ["fine", "\u2066isolate"]}`, "tags[1]"},
		{`{"name": "ok", "labels": {"k": "\u202A"}}`, "labels.k"},
		{`{"name": "ok", "speakers": [{"name": "\u0001张三"}]}`, "speakers[0].name"},
	} {
		_, err := bindText(t, tc.body)
		e, ok := apperr.As(err)
		require.True(t, ok, tc.body)
		assert.Equal(t, http.StatusUnprocessableEntity, e.Status, tc.body)
		require.NotEmpty(t, e.Fields, tc.body)
		assert.Equal(t, tc.field, e.Fields[0].Field, tc.body)
	}
}
