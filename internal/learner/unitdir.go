package learner

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/unit"
)

// unitDirectory resolves the 单位 cells of a sheet against the actor's subtree, loaded once per
// import or export (no query per row). A unit is named by its code, by its path of names from
// the root ("绩溪县/华阳镇"), or by its bare name when that is unique in the subtree.
type unitDirectory struct {
	units    []unit.Unit // the actor's subtree, parents before children
	pathName map[int64]string
	byCode   map[string]*unit.Unit
	byPath   map[string]*unit.Unit
	byName   map[string][]*unit.Unit
}

// Messages of unresolved unit cells.
const (
	msgUnitNotFound  = "单位不存在或不在管辖范围内"
	msgUnitAmbiguous = "有多个同名单位，请填写单位代码或完整路径"
)

func (s *Service) unitDirectory(ctx context.Context, actor auth.Actor) (*unitDirectory, error) {
	subtree, err := s.units.Subtree(ctx, actor)
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(subtree))
	ancestors := pathIDs(actor.UnitPath)
	if len(ancestors) > 0 {
		ancestors = ancestors[:len(ancestors)-1] // the actor's own unit is in the subtree
	}
	if len(ancestors) > 0 {
		above, err := s.units.Names(ctx, ancestors)
		if err != nil {
			return nil, err
		}
		for id, u := range above {
			names[id] = u.Name
		}
	}
	for _, u := range subtree {
		names[u.ID] = u.Name
	}
	d := &unitDirectory{units: subtree, pathName: make(map[int64]string, len(subtree)), byCode: map[string]*unit.Unit{},
		byPath: map[string]*unit.Unit{}, byName: map[string][]*unit.Unit{}}
	for i := range subtree {
		u := &subtree[i]
		parts := make([]string, 0, u.Depth+1)
		for _, id := range pathIDs(u.Path) {
			parts = append(parts, names[id])
		}
		path := strings.Join(parts, "/")
		d.pathName[u.ID] = path
		d.byPath[path] = u
		d.byCode[strings.ToLower(u.Code)] = u
		d.byName[u.Name] = append(d.byName[u.Name], u)
	}
	return d, nil
}

// pathIDs splits a materialised path ("/1/4/17/") into its unit ids.
func pathIDs(path string) []int64 {
	var ids []int64
	for _, p := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// resolve finds the unit a cell names, or says why it cannot.
func (d *unitDirectory) resolve(cell string) (*unit.Unit, string) {
	if u, ok := d.byCode[strings.ToLower(cell)]; ok {
		return u, ""
	}
	parts := strings.FieldsFunc(cell, func(r rune) bool { return r == '/' || r == '／' || r == '\\' })
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if u, ok := d.byPath[strings.Join(parts, "/")]; ok {
		return u, ""
	}
	if len(parts) == 1 {
		switch same := d.byName[parts[0]]; len(same) {
		case 1:
			return same[0], ""
		case 0:
		default:
			return nil, msgUnitAmbiguous
		}
	}
	return nil, msgUnitNotFound
}

// list is every unit of the subtree as (code, path) in path order (the actor's own unit first),
// for the workbook's 单位 sheet.
func (d *unitDirectory) list() [][2]string {
	out := make([][2]string, 0, len(d.units))
	for _, u := range d.units {
		out = append(out, [2]string{u.Code, d.pathName[u.ID]})
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[1], b[1]) })
	return out
}
