package etag_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/etag"
)

func TestIfMatch(t *testing.T) {
	current := etag.Of(17, 3)
	assert.Equal(t, `"17.3"`, current)
	tests := []struct {
		name  string
		lines []string
		pass  bool
	}{
		{"absent", nil, true},
		{"blank", []string{"  "}, true},
		{"current", []string{`"17.3"`}, true},
		{"star", []string{"*"}, true},
		{"one of a list", []string{`"17.2", "17.3"`}, true},
		{"one of several lines", []string{`"17.2"`, `"17.3"`}, true},
		{"list without spaces", []string{`"17.1","17.3"`}, true},
		{"stale", []string{`"17.2"`}, false},
		{"another row's", []string{`"18.3"`}, false},
		{"weak never matches", []string{`W/"17.3"`}, false},
		{"weak beside a stale strong", []string{`W/"17.3", "17.2"`}, false},
		{"weak beside the current strong", []string{`W/"17.2", "17.3"`}, true},
		{"unquoted", []string{`17.3`}, false},
		{"unterminated", []string{`"17.3`}, false},
		{"junk after a tag", []string{`"17.3"x`}, false},
		{"space inside", []string{`"17 .3"`}, false},
		{"star in a list", []string{`*, "17.3"`}, false},
		{"only commas", []string{","}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := etag.ParseIfMatch(tt.lines).Check(current)
			if tt.pass {
				assert.NoError(t, err)
				return
			}
			e, ok := apperr.As(err)
			if assert.True(t, ok, "an app error") {
				assert.Equal(t, 412, e.Status)
				assert.Equal(t, "request.precondition_failed", e.Code)
			}
		})
	}
	assert.NoError(t, etag.IfMatch{}.CheckRow(17, 3), "the zero value is no precondition")
}
