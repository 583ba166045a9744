package apitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/api"
)

// specValidator checks responses against the published OpenAPI 3 document, so the contract
// integrators read is the contract the server keeps. It is strict: an undocumented status, a
// property the schema does not declare, a missing required one, an error code the response does
// not list in x-error-codes — each fails the test. It also records which operations were
// exercised (see operations.go).
type specValidator struct {
	router routers.Router
}

// spec is the validator every Env of a test process shares; the router and schemas are only
// read after it is built.
var spec struct {
	once      sync.Once
	validator *specValidator
	err       error
}

func sharedSpec(t *testing.T) *specValidator {
	t.Helper()
	spec.once.Do(func() { spec.validator, spec.err = newSpecValidator() })
	require.NoError(t, spec.err)
	return spec.validator
}

// contract is the published document as the checks read it, loaded once per test process:
// loading and validating it costs about 0.9 s under -race.
var contract struct {
	once sync.Once
	doc  *openapi3.T
	err  error
}

// contractDoc is the published document, validated, with its objects closed (closeObjects).
func contractDoc() (*openapi3.T, error) {
	contract.once.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPIJSON)
		if err != nil {
			contract.err = fmt.Errorf("api/openapi.json does not load (run make docs): %w", err)
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			contract.err = fmt.Errorf("api/openapi.json is not valid OpenAPI 3: %w", err)
			return
		}
		closeObjects(doc)
		contract.doc = doc
	})
	return contract.doc, contract.err
}

func newSpecValidator() (*specValidator, error) {
	doc, err := contractDoc()
	if err != nil {
		return nil, err
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &specValidator{router: router}, nil
}

// closeObjects forbids undeclared properties in every object schema of this copy of the
// document (the published one leaves them open, so clients tolerate additions): a response or
// webhook property the contract does not declare fails the test that produced it.
func closeObjects(doc *openapi3.T) {
	closed := false
	for _, ref := range doc.Components.Schemas {
		if s := ref.Value; s != nil && len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
			s.AdditionalProperties.Has = &closed
		}
	}
}

func (v *specValidator) check(t *testing.T, r *http.Request, resp *Response) {
	t.Helper()
	if (!strings.HasPrefix(r.URL.Path, "/api/") && r.URL.Path != "/healthz" && r.URL.Path != "/readyz") || r.Method == http.MethodOptions {
		return // Swagger UI, /metrics and CORS preflights are not part of the JSON contract
	}
	if resp.Status == http.StatusServiceUnavailable && resp.ErrorCode() == "service.unavailable" {
		require.NotEmpty(t, resp.Header.Get("Retry-After"), "a 503 says when to retry")
	}
	route, params, err := v.router.FindRoute(r)
	if err != nil {
		// An undocumented path must be a 404 or 405 from the router itself.
		require.Contains(t, []int{http.StatusNotFound, http.StatusMethodNotAllowed}, resp.Status,
			"%s %s is not in the OpenAPI document but answered %d", r.Method, r.URL.Path, resp.Status)
		return
	}
	covered(route.Operation.OperationID)
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route},
		Status:                 resp.Status,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(resp.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	err = openapi3filter.ValidateResponse(context.Background(), input)
	require.NoError(t, err, "%s %s → %d does not match the OpenAPI document: %s", r.Method, r.URL.Path, resp.Status, resp.Body)
	if code := resp.ErrorCode(); code != "" && resp.Status >= 400 {
		listed := errorCodesOf(route.Operation, resp.Status)
		require.Contains(t, listed, code, "%s %s → %d %s: the code is not in this response's x-error-codes (tools/openapi3 finds them in the code)",
			r.Method, r.URL.Path, resp.Status, code)
	}
}

// errorCodesOf is the x-error-codes of an operation's response for status.
func errorCodesOf(op *openapi3.Operation, status int) []string {
	ref := op.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		return nil
	}
	raw, _ := ref.Value.Extensions["x-error-codes"].([]any)
	out := make([]string, 0, len(raw))
	for _, c := range raw {
		if s, ok := c.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
