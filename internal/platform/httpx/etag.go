package httpx

import (
	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/etag"
)

// IfMatch reads the If-Match precondition of a PUT, PATCH or DELETE for the service to check
// against the row it locks (never here: a check before the write transaction would let two
// writers with the same tag both pass). No header is no precondition.
func IfMatch(c *gin.Context) etag.IfMatch {
	return etag.ParseIfMatch(c.Request.Header.Values("If-Match"))
}
