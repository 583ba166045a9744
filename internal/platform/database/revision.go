package database

import (
	"maps"

	"gorm.io/gorm"
)

// NextRevision returns a copy of the columns of an update plus the move of row_version to the
// next revision. Rows that carry an entity tag (see platform/etag) are written through it
// whenever their own state changes, so an If-Match tag read before the write goes stale. cols
// itself is left as it is: callers audit it.
func NextRevision(cols map[string]any) map[string]any {
	out := make(map[string]any, len(cols)+1)
	maps.Copy(out, cols)
	out["row_version"] = gorm.Expr("row_version + 1")
	return out
}
