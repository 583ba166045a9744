package main

import (
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/server"
)

// handlerName is the SSA name of a route's handler: the method value
// "pkg.(*Handler).Login-fm" is the method "(*pkg.Handler).Login".
func handlerName(h gin.HandlerFunc) string {
	name := strings.TrimSuffix(runtime.FuncForPC(reflect.ValueOf(h).Pointer()).Name(), "-fm")
	if m := methodName.FindStringSubmatch(name); m != nil {
		return "(*" + m[1] + "." + m[2] + ")." + m[3]
	}
	return name
}

var methodName = regexp.MustCompile(`^(.*)\.\(\*(\w+)\)\.(\w+)$`)

// Functions whose codes any operation may answer: the middleware every request passes (body
// limit, error rendering with "internal" and "service.unavailable", panic recovery), and the
// guard of the operations that need a token.
const (
	serverPkg = modulePath + "/internal/server"
	guardFunc = serverPkg + ".guard"
)

var everywhereFuncs = []string{serverPkg + ".bodyLimit", serverPkg + ".renderErrors", serverPkg + ".recovery"}

// outsideRoutes maps the operations served outside the route table to their handlers.
var outsideRoutes = map[string]string{
	"checkHealth":        "(*" + serverPkg + ".Server).healthz",
	"checkReadiness":     "(*" + serverPkg + ".Server).readyz",
	"getOpenAPIDocument": "(*" + serverPkg + ".Server).openAPI",
}

// applyErrorCodes declares the ErrorCode enum (every code the module can answer), makes the
// envelopes' code fields refer to it, and lists on each operation the codes it can answer: on
// the operation (x-error-codes) and, by status, on each response. A status with codes that the
// handler's annotations do not declare is added with the error envelope.
func applyErrorCodes(doc *openapi3.T, routes []server.Route) error {
	s, err := loadCodeScan(".")
	if err != nil {
		return err
	}
	all := s.allCodes()
	enum := make([]any, len(all))
	for i, c := range all {
		enum[i] = c
	}
	doc.Components.Schemas["ErrorCode"] = openapi3.NewSchemaRef("", &openapi3.Schema{
		Type: &openapi3.Types{openapi3.TypeString}, Enum: enum,
		Description: "Every error code the API answers (generated from the code by tools/openapi3). " +
			"Each operation lists the codes it can answer in x-error-codes, and by status on each response; api/README.md says what each means.",
	})
	if err := refCodeField(doc, "ErrorBody", "code"); err != nil {
		return err
	}
	if err := refCodeField(doc, "OAuthError", "error_code"); err != nil {
		return err
	}

	var everywhere []errorCode
	for _, name := range append(everywhereFuncs, guardFunc) {
		if s.byName[name] == nil {
			return fmt.Errorf("error codes: %s not found", name)
		}
	}
	for _, name := range everywhereFuncs {
		everywhere = append(everywhere, s.codesFrom(s.byName[name])...)
	}
	guarded := s.codesFrom(s.byName[guardFunc])

	handlers := map[*openapi3.Operation]string{}
	for _, r := range routes {
		op := doc.Paths.Find(ginToOpenAPIPath(r.Path)).GetOperation(r.Method)
		handlers[op] = handlerName(r.Handler)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name, ok := handlers[op]
			if !ok {
				name = outsideRoutes[op.OperationID]
			}
			fn := s.byName[name]
			if fn == nil {
				return fmt.Errorf("error codes: %s %s: no handler function %q", method, path, name)
			}
			codes := append(append([]errorCode(nil), everywhere...), s.codesFrom(fn)...)
			if op.Security != nil && len(*op.Security) > 0 {
				codes = append(codes, guarded...)
			}
			declareCodes(doc, op, uniqueCodes(codes))
		}
	}
	return nil
}

// allCodes is every code made anywhere in the module, sorted.
func (s *codeScan) allCodes() []string {
	set := map[string]bool{}
	for _, fn := range s.byName {
		for _, c := range s.codesIn(fn) {
			set[c.Code] = true
		}
	}
	for _, codes := range s.globals {
		for _, c := range codes {
			set[c.Code] = true
		}
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

func refCodeField(doc *openapi3.T, schema, field string) error {
	s := doc.Components.Schemas[schema]
	if s == nil || s.Value == nil || s.Value.Properties[field] == nil {
		return fmt.Errorf("error codes: schema %s has no property %s", schema, field)
	}
	s.Value.Properties[field] = &openapi3.SchemaRef{Ref: "#/components/schemas/ErrorCode", Value: doc.Components.Schemas["ErrorCode"].Value}
	return nil
}

// declareCodes writes an operation's codes on it and on its responses by status.
func declareCodes(doc *openapi3.T, op *openapi3.Operation, codes []errorCode) {
	names := make([]string, 0, len(codes))
	byStatus := map[int][]string{}
	for _, c := range codes {
		if !slices.Contains(names, c.Code) {
			names = append(names, c.Code)
		}
		if c.Status > 0 {
			byStatus[c.Status] = append(byStatus[c.Status], c.Code)
		}
	}
	slices.Sort(names)
	setExtension(&op.Extensions, "x-error-codes", names)
	for status, list := range byStatus {
		key := strconv.Itoa(status)
		resp := op.Responses.Value(key)
		if resp == nil {
			desc := http.StatusText(status)
			resp = &openapi3.ResponseRef{Value: &openapi3.Response{Description: &desc,
				Content: openapi3.NewContentWithJSONSchemaRef(&openapi3.SchemaRef{Ref: "#/components/schemas/ErrorResponse",
					Value: doc.Components.Schemas["ErrorResponse"].Value})}}
			op.Responses.Set(key, resp)
		}
		if resp.Value != nil {
			setExtension(&resp.Value.Extensions, "x-error-codes", list)
		}
	}
}

func setExtension(ext *map[string]any, key string, v any) {
	if *ext == nil {
		*ext = map[string]any{}
	}
	(*ext)[key] = v
}
