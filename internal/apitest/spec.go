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
// integrators read is the contract the server keeps: an undocumented status or a body that
// does not match its schema fails the test.
type specValidator struct {
	router routers.Router
}

// spec is the validator every Env of a test process shares: loading and validating the document
// costs about 0.9 s under -race, and the router and schemas are only read after that.
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

func newSpecValidator() (*specValidator, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPIJSON)
	if err != nil {
		return nil, fmt.Errorf("api/openapi.json does not load (run make docs): %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("api/openapi.json is not valid OpenAPI 3: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &specValidator{router: router}, nil
}

func (v *specValidator) check(t *testing.T, r *http.Request, resp *Response) {
	t.Helper()
	if (!strings.HasPrefix(r.URL.Path, "/api/") && r.URL.Path != "/healthz" && r.URL.Path != "/readyz") || r.Method == http.MethodOptions {
		return // Swagger UI, /metrics and CORS preflights are not part of the JSON contract
	}
	switch resp.Status {
	case http.StatusInternalServerError:
		// Any endpoint may fail this way (api/README.md says so); the body is still the envelope.
		require.Equal(t, "internal", resp.ErrorCode(), "a 500 must carry the internal envelope: %s", resp.Body)
		return
	case http.StatusServiceUnavailable:
		if resp.ErrorCode() == "service.unavailable" { // any endpoint while the database is out
			require.NotEmpty(t, resp.Header.Get("Retry-After"), "a 503 says when to retry")
			return
		}
	}
	route, params, err := v.router.FindRoute(r)
	if err != nil {
		// An undocumented path must be a 404 or 405 from the router itself.
		require.Contains(t, []int{http.StatusNotFound, http.StatusMethodNotAllowed}, resp.Status,
			"%s %s is not in the OpenAPI document but answered %d", r.Method, r.URL.Path, resp.Status)
		return
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route},
		Status:                 resp.Status,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(resp.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	err = openapi3filter.ValidateResponse(context.Background(), input)
	require.NoError(t, err, "%s %s → %d does not match the OpenAPI document: %s", r.Method, r.URL.Path, resp.Status, resp.Body)
}
