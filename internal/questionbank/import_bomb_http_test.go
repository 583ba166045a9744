package questionbank_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/platform/sheet/sheettest"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// Workbooks that unpack far past their size are refused before they are read, naming the limit,
// and change nothing.
func TestImportRefusesWorkbookBombs(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		bank := newBank(t, e, admin, map[string]any{"name": "华阳镇题库", "subject": "综合"})
		for _, bomb := range sheettest.Bombs(questionbank.MaxImportRows) {
			resp := upload(t, e, admin, bank, "bomb.xlsx", sheettest.Pack(t, bomb.Parts...), "?partial=true")
			want := "question.import_too_large"
			if bomb.Limit == "max_rows" {
				want = "question.import_too_many_rows"
			}
			assert.Equal(t, http.StatusUnprocessableEntity, resp.Status, bomb.Name)
			assert.Equal(t, want, resp.ErrorCode(), bomb.Name)
		}
		var questions int64
		e.DB.Table("questions").Where("bank_id = ?", bank).Count(&questions)
		assert.Zero(t, questions)
	})
}
