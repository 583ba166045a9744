package exam_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/exam"
)

// The submit's one read returns what GetAttempt and GradingItems return, on every dialect;
// an unknown attempt is ErrNotFound.
func TestAttemptWithItemsIsTheTwoReads(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		qs := demoQuestions(t, e, "single", 3)
		examID := publishedExam(t, e, examBody(t, e, ids(qs), nil))
		token := e.Token(zhangWei)
		a := start(t, e, token, examID)
		answer(t, e, token, a, qs, qs[0].ID) // one right, the others wrong
		st := exam.NewStore(e.DB)

		got, items, err := st.AttemptWithItems(t.Context(), a.ID)
		require.NoError(t, err)
		want, err := st.GetAttempt(t.Context(), a.ID)
		require.NoError(t, err)
		wantItems, err := st.GradingItems(t.Context(), a.ID)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		assert.Equal(t, wantItems, items)
		require.Len(t, items, 3)
		for _, it := range items {
			assert.NotNil(t, it.Answer, "the saved answers come along")
		}

		_, _, err = st.AttemptWithItems(t.Context(), a.ID+1000)
		assert.ErrorIs(t, err, exam.ErrNotFound)
	})
}
