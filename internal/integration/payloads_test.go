package integration

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/exam"
)

// jsonFields lists a struct's JSON field names and Go types, in order.
func jsonFields(t reflect.Type) (names []string, types []reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		names, types = append(names, name), append(types, f.Type)
	}
	return names, types
}

// Every event type has a payload type (the contract's schema) with the JSON fields of what the
// dispatcher sends, and typed data.
func TestPayloadTypes(t *testing.T) {
	types := payloadTypes
	keys := make([]string, 0, len(types))
	for k := range types {
		keys = append(keys, k)
	}
	assert.ElementsMatch(t, AllEvents(), keys, "one payload type per event type")

	sent, sentTypes := jsonFields(reflect.TypeFor[Payload]())
	for eventType, p := range types {
		names, fieldTypes := jsonFields(p)
		require.Equal(t, sent, names, "%s: the payload's JSON fields are the dispatcher's", p)
		for i, name := range names {
			if name != "data" {
				assert.Equal(t, sentTypes[i], fieldTypes[i], "%s.%s", p, name)
			}
		}
		f, _ := p.FieldByName("Type")
		assert.Equal(t, eventType, f.Tag.Get("enums"), "%s says its event type", p)
		data, _ := p.FieldByName("Data")
		assert.Equal(t, reflect.Struct, data.Type.Kind(), "%s: data is a struct", p)
	}
	assert.Equal(t, []string{"id", "type", "created_at", "data"}, sent)
}

// Emit takes for an event type only its payload's data type.
func TestCheckData(t *testing.T) {
	assert.NoError(t, checkData(EventCreditAwarded, credit.AwardedEvent{}))
	assert.Error(t, checkData(EventCreditAwarded, &credit.AwardedEvent{}), "a pointer is another type")
	assert.Error(t, checkData(EventCreditAwarded, exam.GradedEvent{}), "another event's data")
	assert.Error(t, checkData(EventCreditAwarded, map[string]any{"learner_id": 1}), "untyped data")
	assert.Error(t, checkData("credit.revoked", credit.AwardedEvent{}), "an unknown event type")
}
