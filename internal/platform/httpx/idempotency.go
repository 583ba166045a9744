package httpx

import (
	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/apperr"
)

// maxIdempotencyKey bounds the Idempotency-Key a write stores with its first answer.
const maxIdempotencyKey = 100

var errIdempotencyKeyTooLong = apperr.BadRequest("request.invalid_header", "请求头有误",
	apperr.Field("Idempotency-Key", "不能超过 100 个字符"))

// IdempotencyKey reads the Idempotency-Key of a write that a flaky network may retry ("" when
// none was sent); a key over 100 characters is 400 request.invalid_header.
func IdempotencyKey(c *gin.Context) (string, error) {
	key := c.GetHeader("Idempotency-Key")
	if len(key) > maxIdempotencyKey {
		return "", errIdempotencyKeyTooLong
	}
	return key, nil
}
