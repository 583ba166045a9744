package httpx_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

type unitFilter struct {
	Kind     string `form:"kind" binding:"omitempty,oneof=township department"`
	ParentID int64  `form:"parent_id" binding:"omitempty,min=1"`
}

type campaignQuery struct {
	CampaignID int64 `form:"campaign_id" binding:"required,min=1"`
}

type renamed struct {
	Name string `json:"name" binding:"required"`
}

// serveRouter answers through Serve, with the actor set as the auth middleware would and
// failures rendered as the error middleware does.
func serveRouter() *gin.Engine {
	r := gin.New()
	r.Use(func(c *gin.Context) {
		httpx.SetActor(c, auth.Actor{AccountID: 7})
		c.Next()
		if len(c.Errors) > 0 {
			httpx.RenderError(c, c.Errors.Last().Err)
		}
	})
	r.GET("/units", func(c *gin.Context) {
		httpx.Serve(c, http.StatusOK, func(_ context.Context, _ auth.Actor, in httpx.ListQuery[unitFilter]) (gin.H, error) {
			return gin.H{"kind": in.Query.Kind, "page": in.Page.Number, "size": in.Page.Size}, nil
		})
	})
	r.GET("/ledger", func(c *gin.Context) {
		httpx.Serve(c, http.StatusOK, func(_ context.Context, _ auth.Actor, in httpx.Query[campaignQuery]) (gin.H, error) {
			return gin.H{"campaign_id": in.Query.CampaignID}, nil
		})
	})
	r.PATCH("/units/:id", func(c *gin.Context) {
		httpx.Serve(c, http.StatusOK, func(_ context.Context, a auth.Actor, in httpx.IDBody[renamed]) (httpx.Tagged[gin.H], error) {
			if in.ID == 404 {
				return httpx.Tagged[gin.H]{}, apperr.NotFound("unit.not_found", "单位不存在")
			}
			return httpx.Tag(gin.H{"id": in.ID, "name": in.Body.Name, "by": a.AccountID}, in.ID, 3), nil
		})
	})
	r.DELETE("/units/:id", func(c *gin.Context) {
		httpx.Serve(c, http.StatusNoContent, func(context.Context, auth.Actor, httpx.ID) (httpx.None, error) {
			return httpx.None{}, nil
		})
	})
	return r
}

func serveRequest(method, target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	w := httptest.NewRecorder()
	serveRouter().ServeHTTP(w, req)
	return w
}

func TestServe(t *testing.T) {
	tests := []struct {
		name, method, target, body string
		wantStatus                 int
		wantBody                   string // JSON, or "" for none
		wantETag                   string
	}{
		{name: "list binds query and page", method: http.MethodGet, target: "/units?kind=township&page=2&page_size=5",
			wantStatus: 200, wantBody: `{"kind":"township","page":2,"size":5}`},
		{name: "bad query is 400 naming it", method: http.MethodGet, target: "/units?kind=village",
			wantStatus: 400, wantBody: `{"error":{"code":"request.invalid_query","message":"查询参数有误","fields":[{"field":"kind","message":"取值必须是以下之一: township department"}]},"request_id":""}`},
		{name: "a required number that is not one is named as not a number, not as missing", method: http.MethodGet, target: "/ledger?campaign_id=abc",
			wantStatus: 400, wantBody: `{"error":{"code":"request.invalid_query","message":"查询参数有误","fields":[{"field":"campaign_id","message":"应为 整数"}]},"request_id":""}`},
		{name: "a missing required parameter is named as missing", method: http.MethodGet, target: "/ledger",
			wantStatus: 400, wantBody: `{"error":{"code":"request.invalid_query","message":"查询参数有误","fields":[{"field":"campaign_id","message":"必填"}]},"request_id":""}`},
		{name: "an unparsable parameter is named beside a valid one", method: http.MethodGet, target: "/units?kind=township&parent_id=x",
			wantStatus: 400, wantBody: `{"error":{"code":"request.invalid_query","message":"查询参数有误","fields":[{"field":"parent_id","message":"应为 整数"}]},"request_id":""}`},
		{name: "tagged answer sets ETag and writes the view", method: http.MethodPatch, target: "/units/9", body: `{"name":"城关镇"}`,
			wantStatus: 200, wantBody: `{"id":9,"name":"城关镇","by":7}`, wantETag: `"9.3"`},
		{name: "bad id fails before the body is read", method: http.MethodPatch, target: "/units/x", body: `{`,
			wantStatus: 400, wantBody: `{"error":{"code":"request.invalid_id","message":"路径参数无效","fields":[{"field":"id","message":"必须是正整数"}]},"request_id":""}`},
		{name: "invalid body is 422", method: http.MethodPatch, target: "/units/9", body: `{"name":""}`,
			wantStatus: 422, wantBody: `{"error":{"code":"request.validation","message":"请求参数有误","fields":[{"field":"name","message":"必填"}]},"request_id":""}`},
		{name: "the endpoint's error is the envelope", method: http.MethodPatch, target: "/units/404", body: `{"name":"城关镇"}`,
			wantStatus: 404, wantBody: `{"error":{"code":"unit.not_found","message":"单位不存在","fields":[]},"request_id":""}`},
		{name: "204 has no body", method: http.MethodDelete, target: "/units/9", wantStatus: 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serveRequest(tt.method, tt.target, tt.body)
			require.Equal(t, tt.wantStatus, w.Code, w.Body.String())
			if tt.wantBody == "" {
				assert.Empty(t, w.Body.String())
			} else {
				assert.JSONEq(t, tt.wantBody, w.Body.String())
			}
			assert.Equal(t, tt.wantETag, w.Header().Get("ETag"))
		})
	}
}
