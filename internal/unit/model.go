// Package unit keeps the tree of organisations (county → township / department → ...). Each
// unit stores its materialised path ("/1/4/17/") so a subtree is one indexed prefix match.
package unit

import (
	"slices"
	"time"
)

// Kind says what sort of organisation a unit is.
type Kind string // @name UnitKind

// Kinds.
const (
	KindCounty     Kind = "county"
	KindTownship   Kind = "township"
	KindDepartment Kind = "department"
	KindOther      Kind = "other"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	return slices.Contains([]Kind{KindCounty, KindTownship, KindDepartment, KindOther}, k)
}

// Unit is one organisation.
type Unit struct {
	ID        int64 `gorm:"primaryKey"`
	ParentID  *int64
	Code      string
	Name      string
	Kind      Kind
	Path      string
	Depth     int
	CreatedAt time.Time
	UpdatedAt time.Time
	// RowVersion counts the unit's revisions (its ETag): edits and moves move it on.
	RowVersion int64 `gorm:"default:1"`
}

// TableName pins the table.
func (Unit) TableName() string { return "units" }
