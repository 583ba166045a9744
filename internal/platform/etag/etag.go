// Package etag is optimistic concurrency for what admins edit: a strong entity tag names one
// revision of one row (its id and its row_version column), and an If-Match precondition says
// which revisions a write accepts. Services check the precondition against the row they read
// under its lock, inside the write's transaction, so of two writers holding the same tag
// exactly one wins. The HTTP half (reading If-Match, writing ETag) is in httpx; this half is
// domain-free so services may import it.
package etag

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/xuefa/xuefa/internal/platform/apperr"
)

// ErrPreconditionFailed answers a conditional write whose If-Match names no current revision
// (stale, weak or malformed): the resource changed since the client read it.
var ErrPreconditionFailed = apperr.New(http.StatusPreconditionFailed, "request.precondition_failed",
	"资源已被他人修改，请重新获取后再提交")

// Of is the strong entity tag (quotes included) of revision rowVersion of row id. A revision
// counter rather than updated_at: several services stamp updated_at from the injected clock,
// which need not move between two writes, and a counter has no precision to lose in either
// dialect.
func Of(id, rowVersion int64) string {
	return `"` + strconv.FormatInt(id, 10) + "." + strconv.FormatInt(rowVersion, 10) + `"`
}

// IfMatch is a parsed If-Match header. The zero value is "no If-Match": any revision passes,
// so clients that do not send one keep working.
type IfMatch struct {
	present bool
	any     bool     // "*": any current revision
	tags    []string // the strong tags listed, quotes included
}

// ParseIfMatch reads the If-Match header lines (RFC 9110 §13.1.1). Absent or blank means no
// precondition. A malformed list is kept as a precondition no revision meets, so it fails with
// 412 rather than being read as absent. Weak tags (W/"...") are dropped: If-Match uses the
// strong comparison, so they never match.
func ParseIfMatch(lines []string) IfMatch {
	value := strings.TrimSpace(strings.Join(lines, ","))
	if value == "" {
		return IfMatch{}
	}
	m := IfMatch{present: true}
	if value == "*" {
		m.any = true
		return m
	}
	rest := value
	for {
		rest = strings.TrimLeft(rest, " \t,")
		if rest == "" {
			return m
		}
		weak := strings.HasPrefix(rest, "W/")
		if weak {
			rest = rest[2:]
		}
		if !strings.HasPrefix(rest, `"`) {
			return IfMatch{present: true} // malformed: nothing can match
		}
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 || !opaque(rest[1:1+end]) {
			return IfMatch{present: true}
		}
		if !weak {
			m.tags = append(m.tags, rest[:end+2])
		}
		rest = rest[end+2:]
		if trimmed := strings.TrimLeft(rest, " \t"); trimmed != "" && trimmed[0] != ',' {
			return IfMatch{present: true}
		}
	}
}

// opaque reports whether s holds only etagc characters (%x21 / %x23-7E / obs-text).
func opaque(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c == 0x7f {
			return false
		}
	}
	return true
}

// Check passes when the precondition admits the current tag of an existing resource, and is
// ErrPreconditionFailed otherwise. Call it on the row read under its lock.
func (m IfMatch) Check(current string) error {
	if !m.present || m.any {
		return nil
	}
	for _, t := range m.tags {
		if t == current {
			return nil
		}
	}
	return ErrPreconditionFailed
}

// CheckRow is Check on the tag of revision rowVersion of row id.
func (m IfMatch) CheckRow(id, rowVersion int64) error { return m.Check(Of(id, rowVersion)) }
