package httpx

import (
	"strconv"

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

// BindQuery binds query parameters into dst (form tags) and validates them, naming bad fields.
func BindQuery(c *gin.Context, dst any) error {
	if err := c.ShouldBindQuery(dst); err != nil {
		if verr := Validate(dst); verr != nil {
			return verr
		}
		return apperr.BadRequest("request.invalid_query", "查询参数有误: "+err.Error())
	}
	return nil
}
