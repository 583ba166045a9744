package sheet_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/xuefa/xuefa/internal/platform/sheet"
)

func TestWriteXLSXRoundTrips(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, sheet.WriteXLSX(&buf, sheet.Table{Name: "出勤", Header: []string{"姓名", "学分"},
		Rows: [][]any{{"张伟", 2.5}, {"李娜", 0}}}))
	f, err := excelize.OpenReader(&buf)
	require.NoError(t, err)
	rows, err := f.GetRows("出勤")
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"姓名", "学分"}, {"张伟", "2.5"}, {"李娜", "0"}}, rows)
}
