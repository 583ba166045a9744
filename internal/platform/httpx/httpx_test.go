package httpx_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/httpx"
	"github.com/xuefa/xuefa/internal/platform/reqctx"
)

func init() { gin.SetMode(gin.TestMode) }

type speaker struct {
	Name  string `json:"name" binding:"required"`
	Title string `json:"title"`
}

type createRequest struct {
	ParentID *int64    `json:"parent_id" binding:"required"`
	Name     string    `json:"name" binding:"required,min=2"`
	Kind     string    `json:"kind" binding:"required,oneof=township department"`
	Seats    int       `json:"seats" binding:"min=0"`
	Speakers []speaker `json:"speakers" binding:"dive"`
}

// bodyLimit is the MaxBytesReader limit the test router applies.
const bodyLimit = 256

// router serves POST /units (BindJSON), GET /units (PageOf), GET /units/:id (PathID) and
// GET /boom/:kind (RenderError), rendering every failure through RenderError.
func router() *gin.Engine {
	r := gin.New()
	r.Use(func(c *gin.Context) {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, bodyLimit)
		c.Request = c.Request.WithContext(reqctx.With(c.Request.Context(), reqctx.Info{RequestID: "req-1"}))
	})
	r.POST("/units", func(c *gin.Context) {
		var req createRequest
		if err := httpx.BindJSON(c, &req); err != nil {
			httpx.RenderError(c, err)
			return
		}
		c.JSON(http.StatusCreated, req)
	})
	r.GET("/units", func(c *gin.Context) {
		p, err := httpx.PageOf(c)
		if err != nil {
			httpx.RenderError(c, err)
			return
		}
		httpx.OK(c, gin.H{"page": p.Number, "page_size": p.Size, "offset": p.Offset()})
	})
	r.GET("/units/:id", func(c *gin.Context) {
		id, err := httpx.PathID(c, "id")
		if err != nil {
			httpx.RenderError(c, err)
			return
		}
		httpx.OK(c, gin.H{"id": id})
	})
	r.GET("/boom/:kind", func(c *gin.Context) {
		switch c.Param("kind") {
		case "plain":
			httpx.RenderError(c, errors.New("dial tcp 10.0.0.5:3306: connection refused"))
		case "wrapped":
			httpx.RenderError(c, fmt.Errorf("load unit 9: %w", apperr.NotFound("unit.not_found", "单位不存在")))
		case "limited":
			httpx.RenderError(c, apperr.TooManyRequests("auth.rate_limited", "请求过于频繁", 30))
		}
	})
	return r
}

// do sends a request and decodes an error envelope when the status is not 2xx.
func do(t *testing.T, method, target, body string) (*httptest.ResponseRecorder, httpx.ErrorResponse) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	router().ServeHTTP(w, req)
	var env httpx.ErrorResponse
	if w.Code >= 400 {
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &env), "error body is the envelope: %s", w.Body.String())
		assert.Equal(t, "req-1", env.RequestID)
		assert.NotEmpty(t, env.Error.Message)
	}
	return w, env
}

func fieldNames(e httpx.ErrorResponse) []string {
	out := make([]string, 0, len(e.Error.Fields))
	for _, f := range e.Error.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestBindJSON(t *testing.T) {
	const valid = `{"parent_id": 1, "name": "城关镇", "kind": "township", "speakers": [{"name": "张三"}]}`
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantCode   string
		wantFields []string // exact set of fields named, in order
	}{
		{name: "valid", body: valid, wantStatus: http.StatusCreated},
		{name: "malformed JSON", body: `{"parent_id": 1,`, wantStatus: 400, wantCode: "request.invalid_json"},
		{name: "syntax error", body: `{parent_id: 1}`, wantStatus: 400, wantCode: "request.invalid_json"},
		{name: "empty body", body: "", wantStatus: 400, wantCode: "request.empty_body"},
		{name: "blank body", body: " \n\t ", wantStatus: 400, wantCode: "request.empty_body"},
		{
			name:       "unknown field",
			body:       `{"parent_id": 1, "name": "城关镇", "kind": "township", "is_admin": true}`,
			wantStatus: 400, wantCode: "request.unknown_field", wantFields: []string{"is_admin"},
		},
		{
			name:       "wrong type",
			body:       `{"parent_id": "one", "name": "城关镇", "kind": "township"}`,
			wantStatus: 400, wantCode: "request.invalid_type", wantFields: []string{"parent_id"},
		},
		{
			name:       "wrong type, array expected",
			body:       `{"parent_id": 1, "name": "城关镇", "kind": "township", "speakers": "张三"}`,
			wantStatus: 400, wantCode: "request.invalid_type", wantFields: []string{"speakers"},
		},
		{
			name:       "body is not an object",
			body:       `[1, 2]`,
			wantStatus: 400, wantCode: "request.invalid_type", wantFields: []string{"body"},
		},
		{
			name:       "trailing second value",
			body:       valid + ` {"parent_id": 2}`,
			wantStatus: 400, wantCode: "request.invalid_json",
		},
		{
			name:       "missing required",
			body:       `{"name": "城关镇", "kind": "township"}`,
			wantStatus: 422, wantCode: "request.validation", wantFields: []string{"parent_id"},
		},
		{
			name:       "nested required",
			body:       `{"parent_id": 1, "name": "城关镇", "kind": "township", "speakers": [{"name": "张三"}, {"title": "教授"}]}`,
			wantStatus: 422, wantCode: "request.validation", wantFields: []string{"speakers[1].name"},
		},
		{
			name:       "oneof and min",
			body:       `{"parent_id": 1, "name": "城", "kind": "village", "seats": -1}`,
			wantStatus: 422, wantCode: "request.validation", wantFields: []string{"name", "kind", "seats"},
		},
		{
			name:       "null body fails required fields",
			body:       `null`,
			wantStatus: 422, wantCode: "request.validation", wantFields: []string{"parent_id", "name", "kind"},
		},
		{
			name:       "over the body limit",
			body:       `{"parent_id": 1, "name": "` + strings.Repeat("长", bodyLimit) + `", "kind": "township"}`,
			wantStatus: http.StatusRequestEntityTooLarge, wantCode: "request.body_too_large",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, env := do(t, http.MethodPost, "/units", tt.body)
			require.Equal(t, tt.wantStatus, w.Code, w.Body.String())
			if tt.wantStatus < 400 {
				var got createRequest
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
				require.NotNil(t, got.ParentID)
				assert.Equal(t, int64(1), *got.ParentID)
				assert.Equal(t, "城关镇", got.Name)
				assert.Equal(t, []speaker{{Name: "张三"}}, got.Speakers)
				return
			}
			assert.Equal(t, tt.wantCode, env.Error.Code)
			if tt.wantFields != nil {
				assert.Equal(t, tt.wantFields, fieldNames(env))
				for _, f := range env.Error.Fields {
					assert.NotEmpty(t, f.Message, "field %s has a message", f.Field)
				}
			} else {
				assert.Empty(t, env.Error.Fields)
			}
		})
	}
}

func TestBindJSONFieldMessages(t *testing.T) {
	_, env := do(t, http.MethodPost, "/units", `{"parent_id": 1, "name": "城", "kind": "village"}`)
	require.Len(t, env.Error.Fields, 2)
	assert.Equal(t, "长度至少为 2", env.Error.Fields[0].Message, "min on a string speaks of length")
	assert.Contains(t, env.Error.Fields[1].Message, "township department", "oneof lists the choices")
}

func TestPageOf(t *testing.T) {
	tests := []struct {
		query      string
		wantStatus int
		wantPage   int
		wantSize   int
		wantFields []string
	}{
		{query: "", wantStatus: 200, wantPage: 1, wantSize: 20},
		{query: "?page=3&page_size=50", wantStatus: 200, wantPage: 3, wantSize: 50},
		{query: "?page_size=100", wantStatus: 200, wantPage: 1, wantSize: 100},
		{query: "?page_size=500", wantStatus: 200, wantPage: 1, wantSize: 100},
		{query: "?page=0", wantStatus: 400, wantFields: []string{"page"}},
		{query: "?page=-2", wantStatus: 400, wantFields: []string{"page"}},
		{query: "?page=abc", wantStatus: 400, wantFields: []string{"page"}},
		{query: "?page=2000000", wantStatus: 400, wantFields: []string{"page"}},
		{query: "?page_size=0", wantStatus: 400, wantFields: []string{"page_size"}},
		{query: "?page_size=lots", wantStatus: 400, wantFields: []string{"page_size"}},
		{query: "?page=x&page_size=y", wantStatus: 400, wantFields: []string{"page", "page_size"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			w, env := do(t, http.MethodGet, "/units"+tt.query, "")
			require.Equal(t, tt.wantStatus, w.Code, w.Body.String())
			if tt.wantStatus != 200 {
				assert.Equal(t, "request.invalid_query", env.Error.Code)
				assert.Equal(t, tt.wantFields, fieldNames(env))
				return
			}
			var got struct {
				Page     int `json:"page"`
				PageSize int `json:"page_size"`
				Offset   int `json:"offset"`
			}
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
			assert.Equal(t, tt.wantPage, got.Page)
			assert.Equal(t, tt.wantSize, got.PageSize)
			assert.Equal(t, (tt.wantPage-1)*tt.wantSize, got.Offset)
		})
	}
}

func TestPathID(t *testing.T) {
	for _, raw := range []string{"abc", "0", "-1", "1.5", "99999999999999999999"} {
		t.Run(raw, func(t *testing.T) {
			w, env := do(t, http.MethodGet, "/units/"+raw, "")
			require.Equal(t, http.StatusBadRequest, w.Code)
			assert.Equal(t, "request.invalid_id", env.Error.Code)
			assert.Equal(t, []string{"id"}, fieldNames(env))
		})
	}
	t.Run("valid", func(t *testing.T) {
		w, _ := do(t, http.MethodGet, "/units/42", "")
		require.Equal(t, http.StatusOK, w.Code)
		assert.JSONEq(t, `{"id": 42}`, w.Body.String())
	})
}

func TestRenderError(t *testing.T) {
	t.Run("non-app error is internal without detail", func(t *testing.T) {
		w, env := do(t, http.MethodGet, "/boom/plain", "")
		require.Equal(t, http.StatusInternalServerError, w.Code)
		assert.Equal(t, "internal", env.Error.Code)
		assert.Empty(t, env.Error.Fields)
		assert.NotContains(t, w.Body.String(), "10.0.0.5")
		assert.NotContains(t, w.Body.String(), "connection refused")
		assert.Empty(t, w.Header().Get("Retry-After"))
	})
	t.Run("wrapped app error keeps its status and code", func(t *testing.T) {
		w, env := do(t, http.MethodGet, "/boom/wrapped", "")
		require.Equal(t, http.StatusNotFound, w.Code)
		assert.Equal(t, "unit.not_found", env.Error.Code)
		assert.Equal(t, "单位不存在", env.Error.Message)
		assert.NotContains(t, w.Body.String(), "load unit 9")
	})
	t.Run("retry after", func(t *testing.T) {
		w, env := do(t, http.MethodGet, "/boom/limited", "")
		require.Equal(t, http.StatusTooManyRequests, w.Code)
		assert.Equal(t, "auth.rate_limited", env.Error.Code)
		assert.Equal(t, "30", w.Header().Get("Retry-After"))
	})
}

func TestMap(t *testing.T) {
	got := httpx.Map([]int(nil), func(i int) string { return fmt.Sprint(i) })
	require.NotNil(t, got, "an empty list renders as [] not null")
	assert.Empty(t, got)
	assert.Equal(t, []string{"1", "2"}, httpx.Map([]int{1, 2}, func(i int) string { return fmt.Sprint(i) }))
	b, err := json.Marshal(httpx.Map([]int{}, func(i int) int { return i }))
	require.NoError(t, err)
	assert.Equal(t, "[]", string(b))
}
