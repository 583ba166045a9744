package sheet_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/xuefa/xuefa/internal/platform/sheet"
	"github.com/xuefa/xuefa/internal/platform/sheet/sheettest"
)

func limitOf(t *testing.T, err error) string {
	t.Helper()
	var le *sheet.LimitError
	require.ErrorAs(t, err, &le)
	return le.Limit
}

var limits = sheet.ImportLimits(1000)

func TestInspectAcceptsAnOrdinaryWorkbook(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	for r := 1; r <= 1001; r++ {
		require.NoError(t, f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", r), &[]any{"姓名", "华阳镇", r, strings.Repeat("法", 100)}))
	}
	var buf bytes.Buffer
	require.NoError(t, f.Write(&buf))
	assert.NoError(t, sheet.InspectXLSX(buf.Bytes(), limits))
}

func TestInspectRefusesBombs(t *testing.T) {
	for _, bomb := range sheettest.Bombs(1000) {
		t.Run(bomb.Name, func(t *testing.T) {
			assert.Equal(t, bomb.Limit, limitOf(t, sheet.InspectXLSX(sheettest.Pack(t, bomb.Parts...), limits)))
		})
	}
}

func TestInspectCountsOnlyRowsWithValues(t *testing.T) {
	data := sheettest.Pack(t, sheettest.Repeated("xl/worksheets/sheet1.xml", sheettest.SheetHead, `<row r="1" ht="20"><c s="1"/></row>`, 5000, sheettest.SheetTail))
	assert.NoError(t, sheet.InspectXLSX(data, limits), "formatted empty rows cost nothing to read")
}

func TestInspectRefusesMalformedPackages(t *testing.T) {
	assert.Error(t, sheet.InspectXLSX([]byte("not a zip"), limits))
	var le *sheet.LimitError
	padded := sheettest.Pack(t, sheettest.SharedStrings("x", strings.Repeat("y", 30<<10)),
		sheettest.XMLPart("xl/worksheets/sheet1.xml", sheettest.SheetHead+`<row><c t="s"><v>00000000000000000001</v></c></row>`+sheettest.SheetTail))
	err := sheet.InspectXLSX(padded, limits)
	assert.Error(t, err, "a padded index cannot hide which shared string it uses")
	assert.False(t, errors.As(err, &le), "malformed, not over a limit")
	outOfRange := sheettest.Pack(t, sheettest.SharedStrings("x"), sheettest.XMLPart("xl/worksheets/sheet1.xml", sheettest.SheetHead+`<row><c t="s"><v>7</v></c></row>`+sheettest.SheetTail))
	assert.Error(t, sheet.InspectXLSX(outOfRange, limits))
	lying := sheettest.Pack(t, sheettest.SharedStrings("x"), sheettest.XMLPart("xl/worksheets/sheet1.xml", sheettest.SheetHead+sheettest.SheetTail))
	// Shrink the sheet's declared size in both headers: the reader refuses the longer body.
	lying = bytes.ReplaceAll(lying, []byte{byte(len(sheettest.SheetHead + sheettest.SheetTail)), 0, 0, 0}, []byte{4, 0, 0, 0})
	assert.Error(t, sheet.InspectXLSX(lying, limits), "a part longer than its header says")
	longTag := sheettest.Pack(t, sheettest.XMLPart("xl/worksheets/sheet1.xml", sheettest.SheetHead+`<row `+strings.Repeat(`a="b" `, 20000)+`></row>`+sheettest.SheetTail))
	assert.Error(t, sheet.InspectXLSX(longTag, limits))
}
