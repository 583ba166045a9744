package unit

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// View is a unit as the API shows it.
type View struct {
	ID        int64     `json:"id" example:"4"`
	ParentID  *int64    `json:"parent_id" example:"1" extensions:"x-nullable"`
	Code      string    `json:"code" example:"jx-huayang"`
	Name      string    `json:"name" example:"华阳镇"`
	Kind      Kind      `json:"kind" example:"township" enums:"county,township,department,other"`
	Path      string    `json:"path" example:"/1/4/"`
	Depth     int       `json:"depth" example:"1"`
	CreatedAt time.Time `json:"created_at" format:"date-time"`
	UpdatedAt time.Time `json:"updated_at" format:"date-time"`
	// Children are the sub-units, present only in GET /units?tree=true.
	Children []View `json:"children" extensions:"x-nullable"`
} // @name Unit

// List is a page of units.
type List struct {
	Items []View `json:"items"`
	httpx.ListMeta
} // @name UnitList

// CreateRequest creates a unit under parent_id.
type CreateRequest struct {
	ParentID int64  `json:"parent_id" binding:"required,min=1" example:"1"`
	Code     string `json:"code" binding:"required,min=2,max=64,printascii,excludesall= " example:"jx-huayang"`
	Name     string `json:"name" binding:"required,min=1,max=100" example:"华阳镇"`
	Kind     Kind   `json:"kind" binding:"required,oneof=county township department other" example:"township"`
} // @name UnitCreateRequest

// UpdateRequest changes a unit; absent fields stay. Setting parent_id moves the unit (and its
// subtree) under another unit of the caller's subtree.
type UpdateRequest struct {
	ParentID *int64  `json:"parent_id" binding:"omitempty,min=1" example:"1" validate:"optional"`
	Code     *string `json:"code" binding:"omitempty,min=2,max=64,printascii,excludesall= " example:"jx-huayang" validate:"optional"`
	Name     *string `json:"name" binding:"omitempty,min=1,max=100" example:"华阳镇" validate:"optional"`
	Kind     *Kind   `json:"kind" binding:"omitempty,oneof=county township department other" example:"township" validate:"optional"`
} // @name UnitUpdateRequest

type listQuery struct {
	ParentID *int64 `form:"parent_id" binding:"omitempty,min=1"`
	Kind     Kind   `form:"kind" binding:"omitempty,oneof=county township department other"`
	Q        string `form:"q" binding:"max=100"`
	Tree     bool   `form:"tree"`
}

// listInput is the input of GET /units: its filters, then the page unless tree=true (the
// subtree is answered whole, so paging is ignored and not read).
type listInput struct {
	Query listQuery
	Page  httpx.Page
}

// Bind reads the query parameters, then the page of a flat list.
func (in *listInput) Bind(c *gin.Context) (err error) {
	if err := httpx.BindQuery(c, &in.Query); err != nil {
		return err
	}
	if in.Query.Tree {
		return nil
	}
	in.Page, err = httpx.PageOf(c)
	return err
}

// toView converts a row for the API.
func toView(u Unit) View {
	return View{ID: u.ID, ParentID: u.ParentID, Code: u.Code, Name: u.Name, Kind: u.Kind, Path: u.Path,
		Depth: u.Depth, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

// toTaggedView is the view of one unit with its revision, for the ETag.
func toTaggedView(u Unit) httpx.Tagged[View] { return httpx.Tag(toView(u), u.ID, u.RowVersion) }

// toTreeList is the answer of GET /units?tree=true: the subtree nested, one page of all of it.
func toTreeList(units []Unit) List {
	return List{Items: toTree(units), ListMeta: httpx.WholeMeta(len(units))}
}

// toTree nests units (listed parents before children) under their parents; units whose
// parent is not in the list (the actor's own unit) are the roots.
func toTree(units []Unit) []View {
	children := make(map[int64][]Unit, len(units))
	present := make(map[int64]bool, len(units))
	for _, u := range units {
		present[u.ID] = true
		if u.ParentID != nil {
			children[*u.ParentID] = append(children[*u.ParentID], u)
		}
	}
	var build func(u Unit) View
	build = func(u Unit) View {
		v := toView(u)
		v.Children = make([]View, 0, len(children[u.ID]))
		for _, c := range children[u.ID] {
			v.Children = append(v.Children, build(c))
		}
		return v
	}
	roots := []View{}
	for _, u := range units {
		if u.ParentID == nil || !present[*u.ParentID] {
			roots = append(roots, build(u))
		}
	}
	return roots
}

func (r CreateRequest) toInput() CreateInput {
	return CreateInput{ParentID: r.ParentID, Code: r.Code, Name: r.Name, Kind: r.Kind}
}

func (r UpdateRequest) toInput() UpdateInput {
	return UpdateInput{ParentID: r.ParentID, Code: r.Code, Name: r.Name, Kind: r.Kind}
}
