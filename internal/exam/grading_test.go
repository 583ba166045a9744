package exam

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func keyed(qid int64, typ, key string, points float64, section int, answer *string) KeyedItem {
	return KeyedItem{PaperItem: PaperItem{Item: Item{QuestionID: qid, Type: typ, Points: points, Section: section, Answer: answer}}, AnswerKey: key}
}

func str(s string) *string { return &s }

// Multiple choice is all-or-nothing unless the exam gives partial credit: then a subset of the
// key without a wrong option earns half. Fill answers match any accepted answer, ignoring case,
// width and spaces.
func TestGradeScoresSectionsAndPartialCredit(t *testing.T) {
	sections := []Section{{Position: 1, Title: "选择"}, {Position: 2, Title: "其他"}}
	items := []KeyedItem{
		keyed(1, "single", "B", 2, 1, str("B")),
		keyed(2, "multiple", "ACD", 4, 1, str("AC")),     // subset of the key
		keyed(3, "multiple", "ACD", 4, 1, str("AB")),     // a wrong option
		keyed(4, "judge", "false", 1, 2, str("true")),    // wrong
		keyed(5, "fill", "法治|法治国家", 3, 2, str(" 法治国家 ")), // second accepted answer
		keyed(6, "single", "A", 2, 2, nil),               // unanswered
	}
	all := grade(false, sections, items)
	assert.Equal(t, 5.0, all.Score)
	assert.Equal(t, 2, all.Correct)
	assert.Equal(t, []float64{2, 0, 0, 0, 3, 0}, all.Items)
	assert.Equal(t, []SectionScore{{Position: 1, Title: "选择", Score: 2, MaxScore: 10}, {Position: 2, Title: "其他", Score: 3, MaxScore: 6}}, all.Sections)
	assert.Len(t, all.Wrong, 4)
	assert.Equal(t, "", all.Wrong[3].Given, "unanswered questions go to the book too")

	partial := grade(true, sections, items)
	assert.Equal(t, 7.0, partial.Score)
	assert.Equal(t, []float64{2, 2, 0, 0, 3, 0}, partial.Items)
	assert.Equal(t, 2, partial.Correct, "half credit is not a right answer")
}
