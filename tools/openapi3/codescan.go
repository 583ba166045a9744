package main

import (
	"fmt"
	"go/constant"
	"go/types"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

// The error codes are read from the code, not from prose: the module's packages are built into
// SSA form, and every place that makes an *apperr.Error (or fills a Code field) with a constant
// code is a code the API can answer, with the HTTP status its constructor gives.

const (
	modulePath = "github.com/xuefa/xuefa"
	apperrPkg  = modulePath + "/internal/platform/apperr"
)

// codeShape matches a stable error code: "domain.reason" (and "internal").
var codeShape = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$`)

// errorCode is one code and the status it is answered with (0 when the code is written into a
// Code field and the status is set elsewhere).
type errorCode struct {
	Code   string
	Status int
}

// constructorStatus is the status of each apperr constructor; New takes it as an argument.
var constructorStatus = map[string]int{
	"Invalid":         http.StatusUnprocessableEntity,
	"BadRequest":      http.StatusBadRequest,
	"NotFound":        http.StatusNotFound,
	"Conflict":        http.StatusConflict,
	"Unauthorized":    http.StatusUnauthorized,
	"Forbidden":       http.StatusForbidden,
	"TooManyRequests": http.StatusTooManyRequests,
	"New":             -1,
}

// codeScan is the module's SSA program and what was learnt about where codes come from.
type codeScan struct {
	byName map[string]*ssa.Function // "(*pkg.Handler).Method" and "pkg.Func" → function
	// globals holds the codes stored into package variables at init (errX = apperr.Conflict(...)).
	globals map[*ssa.Global][]errorCode
	// templates are the functions that build a code from a parameter (domain + ".import_too_large").
	templates map[*ssa.Function][]codeTemplate
	memo      map[*ssa.Function][]errorCode
	types     []types.Type // this module's named types and pointers to them, for interface calls
}

// codeTemplate: argument Param of the function, between Prefix and Suffix, is a code.
type codeTemplate struct {
	Param          int
	Prefix, Suffix string
	Status         int
}

func loadCodeScan(dir string) (*codeScan, error) {
	cfg := &packages.Config{Dir: dir, Mode: packages.LoadAllSyntax, Tests: false}
	pkgs, err := packages.Load(cfg, modulePath+"/internal/...")
	if err != nil {
		return nil, err
	}
	if packages.PrintErrors(pkgs) > 0 {
		return nil, fmt.Errorf("error codes: the module's packages do not load")
	}
	prog, _ := ssautil.AllPackages(pkgs, ssa.InstantiateGenerics)
	prog.Build()

	s := &codeScan{byName: map[string]*ssa.Function{}, globals: map[*ssa.Global][]errorCode{},
		templates: map[*ssa.Function][]codeTemplate{}, memo: map[*ssa.Function][]errorCode{}}
	var own []*ssa.Function
	for fn := range ssautil.AllFunctions(prog) {
		if fn.Pkg == nil || !strings.HasPrefix(fn.Pkg.Pkg.Path(), modulePath) {
			continue
		}
		own = append(own, fn)
		s.byName[fn.String()] = fn
	}
	for _, p := range prog.AllPackages() {
		if !strings.HasPrefix(p.Pkg.Path(), modulePath) {
			continue
		}
		for _, m := range p.Members {
			if t, ok := m.(*ssa.Type); ok && !types.IsInterface(t.Type()) {
				s.types = append(s.types, t.Type(), types.NewPointer(t.Type()))
			}
		}
	}
	for _, fn := range own {
		s.findTemplates(fn)
	}
	for _, fn := range own {
		if fn.Name() == "init" && fn.Signature.Recv() == nil {
			s.findGlobals(fn)
		}
	}
	return s, nil
}

// apperrCall is the apperr constructor a call makes, or "".
func apperrCall(call *ssa.CallCommon) string {
	fn := call.StaticCallee()
	if fn == nil || fn.Pkg == nil || fn.Pkg.Pkg.Path() != apperrPkg {
		return ""
	}
	if _, ok := constructorStatus[fn.Name()]; !ok || fn.Signature.Recv() != nil {
		return ""
	}
	return fn.Name()
}

// constructed is the code argument and status of an apperr constructor call.
func constructed(call *ssa.CallCommon) (code ssa.Value, status int, ok bool) {
	name := apperrCall(call)
	if name == "" {
		return nil, 0, false
	}
	if name == "New" {
		return call.Args[1], constInt(call.Args[0]), true
	}
	return call.Args[0], constructorStatus[name], true
}

func constString(v ssa.Value) (string, bool) {
	c, ok := v.(*ssa.Const)
	if !ok || c.Value == nil || c.Value.Kind() != constant.String {
		return "", false
	}
	return constant.StringVal(c.Value), true
}

func constInt(v ssa.Value) int {
	c, ok := v.(*ssa.Const)
	if !ok || c.Value == nil || c.Value.Kind() != constant.Int {
		return 0
	}
	n, _ := constant.Int64Val(c.Value)
	return int(n)
}

// findTemplates records the parameters of fn that become a code, alone or with a constant
// prefix or suffix.
func (s *codeScan) findTemplates(fn *ssa.Function) {
	paramIndex := func(v ssa.Value) int {
		for i, p := range fn.Params {
			if p == v {
				return i
			}
		}
		return -1
	}
	forEachCall(fn, func(call *ssa.CallCommon) {
		code, status, ok := constructed(call)
		if !ok {
			return
		}
		for _, t := range templateOf(code, paramIndex) {
			t.Status = status
			s.templates[fn] = append(s.templates[fn], t)
		}
	})
}

// templateOf reads a code value as parameter, parameter + ".suffix" or a φ of those.
func templateOf(v ssa.Value, paramIndex func(ssa.Value) int) []codeTemplate {
	switch v := v.(type) {
	case *ssa.Parameter:
		if i := paramIndex(v); i >= 0 {
			return []codeTemplate{{Param: i}}
		}
	case *ssa.BinOp:
		if i := paramIndex(v.X); i >= 0 {
			if suffix, ok := constString(v.Y); ok {
				return []codeTemplate{{Param: i, Suffix: suffix}}
			}
		}
		if i := paramIndex(v.Y); i >= 0 {
			if prefix, ok := constString(v.X); ok {
				return []codeTemplate{{Param: i, Prefix: prefix}}
			}
		}
	case *ssa.Phi:
		var out []codeTemplate
		for _, e := range v.Edges {
			out = append(out, templateOf(e, paramIndex)...)
		}
		return out
	}
	return nil
}

// findGlobals records the codes an init function stores into package variables.
func (s *codeScan) findGlobals(fn *ssa.Function) {
	for _, b := range fn.Blocks {
		for _, ins := range b.Instrs {
			st, ok := ins.(*ssa.Store)
			if !ok {
				continue
			}
			g, ok := st.Addr.(*ssa.Global)
			if !ok {
				continue
			}
			s.globals[g] = append(s.globals[g], s.codesOfValue(st.Val)...)
		}
	}
}

// codesOfValue follows a value back to the constructor call that made it.
func (s *codeScan) codesOfValue(v ssa.Value) []errorCode {
	switch v := v.(type) {
	case *ssa.Call:
		if code, status, ok := constructed(v.Common()); ok {
			return codesOf(code, status)
		}
		if fn := v.Common().StaticCallee(); fn != nil && fn.Name() == "WithFields" && len(v.Common().Args) > 0 {
			return s.codesOfValue(v.Common().Args[0])
		}
	case *ssa.UnOp:
		if g, ok := v.X.(*ssa.Global); ok {
			return s.globals[g]
		}
	case *ssa.ChangeType:
		return s.codesOfValue(v.X)
	case *ssa.Alloc:
		return allocCodes(v)
	case *ssa.MakeInterface:
		return s.codesOfValue(v.X)
	}
	return nil
}

// allocCodes reads &apperr.Error{Status: ..., Code: ...} built field by field.
func allocCodes(a *ssa.Alloc) []errorCode {
	var codes []errorCode
	status := 0
	for _, ref := range *a.Referrers() {
		fa, ok := ref.(*ssa.FieldAddr)
		if !ok {
			continue
		}
		for _, use := range *fa.Referrers() {
			st, ok := use.(*ssa.Store)
			if !ok {
				continue
			}
			switch fieldName(fa) {
			case "Code":
				codes = append(codes, codesOf(st.Val, 0)...)
			case "Status":
				status = constInt(st.Val)
			}
		}
	}
	for i := range codes {
		codes[i].Status = status
	}
	return codes
}

// codesOf reads constant codes from a value: a constant or a φ of constants.
func codesOf(v ssa.Value, status int) []errorCode {
	if c, ok := constString(v); ok {
		if codeShape.MatchString(c) {
			return []errorCode{{c, status}}
		}
		return nil
	}
	if phi, ok := v.(*ssa.Phi); ok {
		var out []errorCode
		for _, e := range phi.Edges {
			out = append(out, codesOf(e, status)...)
		}
		return out
	}
	return nil
}

func forEachCall(fn *ssa.Function, f func(*ssa.CallCommon)) {
	for _, b := range fn.Blocks {
		for _, ins := range b.Instrs {
			if c, ok := ins.(ssa.CallInstruction); ok {
				f(c.Common())
			}
		}
	}
}

// own reports whether fn is this module's code (codes are only made here).
func own(fn *ssa.Function) bool {
	if fn == nil {
		return false
	}
	if fn.Pkg != nil {
		return strings.HasPrefix(fn.Pkg.Pkg.Path(), modulePath)
	}
	// A synthetic wrapper (a method value's $bound, a $thunk) has no package: its method's counts.
	obj := fn.Object()
	return obj != nil && obj.Pkg() != nil && strings.HasPrefix(obj.Pkg().Path(), modulePath)
}

// codesFrom is every code reachable from fn: made in fn or in what it calls (static calls,
// interface calls resolved to this module's implementations, and closures and method values it
// creates — a closure handed to a transaction helper runs).
func (s *codeScan) codesFrom(root *ssa.Function) []errorCode {
	if got, ok := s.memo[root]; ok {
		return got
	}
	seen := map[*ssa.Function]bool{}
	var out []errorCode
	queue := []*ssa.Function{root}
	for len(queue) > 0 {
		fn := queue[0]
		queue = queue[1:]
		if seen[fn] || !own(fn) {
			continue
		}
		seen[fn] = true
		out = append(out, s.codesIn(fn)...)
		queue = append(queue, s.callees(fn)...)
	}
	out = uniqueCodes(out)
	s.memo[root] = out
	return out
}

// codesIn is the codes fn makes itself.
func (s *codeScan) codesIn(fn *ssa.Function) []errorCode {
	var out []errorCode
	for _, b := range fn.Blocks {
		for _, ins := range b.Instrs {
			switch ins := ins.(type) {
			case ssa.CallInstruction:
				call := ins.Common()
				if code, status, ok := constructed(call); ok {
					out = append(out, codesOf(code, status)...)
				}
				if callee := call.StaticCallee(); callee != nil {
					for _, t := range s.templates[callee] {
						if t.Param < len(call.Args) {
							if c, ok := constString(call.Args[t.Param]); ok && codeShape.MatchString(t.Prefix+c+t.Suffix) {
								out = append(out, errorCode{t.Prefix + c + t.Suffix, t.Status})
							}
						}
					}
				}
			case *ssa.UnOp:
				if g, ok := ins.X.(*ssa.Global); ok && ins.Op.String() == "*" {
					out = append(out, s.globals[g]...)
				}
			case *ssa.Alloc:
				// &apperr.Error{Status: ..., Code: ...} built in place.
				if named, ok := ins.Type().(*types.Pointer).Elem().(*types.Named); ok && named.Obj().Name() == "Error" &&
					named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == apperrPkg {
					out = append(out, allocCodes(ins)...)
				}
			case *ssa.Store:
				// Code: "domain.reason" in a struct literal (an error body built by hand).
				if fa, ok := ins.Addr.(*ssa.FieldAddr); ok && fieldName(fa) == "Code" {
					out = append(out, codesOf(ins.Val, 0)...)
				}
			}
		}
	}
	return out
}

func fieldName(fa *ssa.FieldAddr) string {
	st, ok := fa.X.Type().Underlying().(*types.Pointer).Elem().Underlying().(*types.Struct)
	if !ok {
		return ""
	}
	return st.Field(fa.Field).Name()
}

// callees is what fn may call or hand on: static callees, this module's implementations of the
// interface methods it invokes, and the functions it takes the value of.
func (s *codeScan) callees(fn *ssa.Function) []*ssa.Function {
	var out []*ssa.Function
	prog := fn.Prog
	for _, b := range fn.Blocks {
		for _, ins := range b.Instrs {
			if c, ok := ins.(ssa.CallInstruction); ok {
				call := c.Common()
				if callee := call.StaticCallee(); callee != nil {
					out = append(out, callee)
				} else if call.IsInvoke() {
					out = append(out, s.implementations(prog, call.Value.Type(), call.Method)...)
				}
			}
			for _, op := range ins.Operands(nil) {
				if f, ok := (*op).(*ssa.Function); ok {
					out = append(out, f)
				}
			}
		}
	}
	return out
}

// implementations is this module's concrete methods that an invoke of m on iface may reach.
func (s *codeScan) implementations(prog *ssa.Program, iface types.Type, m *types.Func) []*ssa.Function {
	it, ok := iface.Underlying().(*types.Interface)
	if !ok {
		return nil
	}
	var out []*ssa.Function
	for _, t := range s.types {
		if !types.Implements(t, it) {
			continue
		}
		if fn := prog.LookupMethod(t, m.Pkg(), m.Name()); own(fn) {
			out = append(out, fn)
		}
	}
	return out
}

func uniqueCodes(in []errorCode) []errorCode {
	slices.SortFunc(in, func(a, b errorCode) int {
		if c := strings.Compare(a.Code, b.Code); c != 0 {
			return c
		}
		return a.Status - b.Status
	})
	return slices.Compact(in)
}
