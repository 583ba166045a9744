package exam

import (
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm/schema"
)

// The hand-written attempt scan names every column of the model, in the model's order, and
// scans each into its own field: a column added to Attempt must be added there too.
func TestAttemptColumnsMatchTheModel(t *testing.T) {
	sch, err := schema.Parse(&Attempt{}, &sync.Map{}, schema.NamingStrategy{})
	require.NoError(t, err)
	var want []string
	for _, f := range sch.Fields {
		want = append(want, "a."+f.DBName)
	}
	assert.Equal(t, strings.Join(want, ", "), attemptColumns)
	var a Attempt
	fields := attemptFields(&a)
	v := reflect.ValueOf(&a).Elem()
	require.Len(t, fields, v.NumField())
	for i := range fields {
		assert.Equal(t, v.Field(i).Addr().Interface(), fields[i], "field %d", i)
	}
}
