package learner_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/platform/sheet/sheettest"
)

// Workbooks that unpack far past their size are refused before they are read, naming the limit,
// and change nothing.
func TestImportRefusesWorkbookBombs(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		var before int64
		e.DB.Table("learners").Count(&before)
		for _, bomb := range sheettest.Bombs(20_000) {
			resp := upload(e, admin, "?partial=true", "bomb.xlsx", sheettest.Pack(t, bomb.Parts...))
			want := "learner.import_too_large"
			if bomb.Limit == "max_rows" {
				want = "learner.import_too_many_rows"
			}
			assert.Equal(t, http.StatusUnprocessableEntity, resp.Status, bomb.Name)
			assert.Equal(t, want, resp.ErrorCode(), bomb.Name)
			assert.Contains(t, resp.ErrorFields(), "file", bomb.Name)
		}
		var after int64
		e.DB.Table("learners").Count(&after)
		assert.Equal(t, before, after)
	})
}
