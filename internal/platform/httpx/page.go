package httpx

import (
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/apperr"
)

// Page limits.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Page is a requested page: Number from 1, Size capped at MaxPageSize.
type Page struct {
	Number int
	Size   int
}

// Offset is the number of rows before the page.
func (p Page) Offset() int { return (p.Number - 1) * p.Size }

// PageOf reads ?page= and ?page_size= (defaults 1 and 20; sizes over 100 are capped at 100).
func PageOf(c *gin.Context) (Page, error) {
	p := Page{Number: 1, Size: DefaultPageSize}
	var fields []apperr.FieldError
	if raw := c.Query("page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 1_000_000 {
			fields = append(fields, apperr.Field("page", "必须是正整数"))
		} else {
			p.Number = n
		}
	}
	if raw := c.Query("page_size"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			fields = append(fields, apperr.Field("page_size", "必须是正整数"))
		} else {
			p.Size = min(n, MaxPageSize)
		}
	}
	if len(fields) > 0 {
		return p, apperr.BadRequest("request.invalid_query", "查询参数有误", fields...)
	}
	return p, nil
}

// BindQuery binds query parameters into dst (form tags) and validates them. Any problem is a
// 400 request.invalid_query naming the parameters at fault.
func BindQuery(c *gin.Context, dst any) error {
	err := c.ShouldBindQuery(dst)
	if err == nil {
		return nil
	}
	// A value that does not parse first: its field is left zero, and the rules would call a
	// required one missing.
	if fields := unparsableParams(dst, c.Request.URL.Query()); len(fields) > 0 {
		return apperr.BadRequest("request.invalid_query", "查询参数有误", fields...)
	}
	if verr, ok := apperr.As(Validate(dst)); ok {
		return apperr.BadRequest("request.invalid_query", "查询参数有误", verr.Fields...)
	}
	return apperr.BadRequest("request.invalid_query", "查询参数有误")
}

// unparsableParams names the query parameters whose values do not parse as their field's type.
func unparsableParams(dst any, query url.Values) []apperr.FieldError {
	t := reflect.TypeOf(dst)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var fields []apperr.FieldError
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("form"), ",")[0]
		raw := query.Get(name)
		if name == "" || raw == "" {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		var err error
		switch {
		case ft == reflect.TypeOf(time.Time{}):
			_, err = time.Parse(time.RFC3339, raw)
			if err != nil {
				fields = append(fields, apperr.Field(name, "应为 RFC 3339 时间，如 2026-11-25T09:00:00+08:00"))
			}
			continue
		case ft.Kind() >= reflect.Int && ft.Kind() <= reflect.Int64:
			_, err = strconv.ParseInt(raw, 10, 64)
		case ft.Kind() == reflect.Bool:
			_, err = strconv.ParseBool(raw)
		}
		if err != nil {
			fields = append(fields, apperr.Field(name, "应为 "+jsonTypeName(ft.Kind())))
		}
	}
	return fields
}
