package apitest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
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

func newSpecValidator(t *testing.T) *specValidator {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPIJSON)
	require.NoError(t, err, "api/openapi.json does not load; run make docs")
	require.NoError(t, doc.Validate(context.Background()), "api/openapi.json is not valid OpenAPI 3")
	router, err := gorillamux.NewRouter(doc)
	require.NoError(t, err)
	return &specValidator{router: router}
}

func (v *specValidator) check(t *testing.T, r *http.Request, resp *Response) {
	t.Helper()
	if (!strings.HasPrefix(r.URL.Path, "/api/") && r.URL.Path != "/healthz" && r.URL.Path != "/readyz") || r.Method == http.MethodOptions {
		return // Swagger UI, /metrics and CORS preflights are not part of the JSON contract
	}
	if resp.Status == http.StatusInternalServerError {
		// Any endpoint may fail this way (api/README.md says so); the body is still the envelope.
		require.Equal(t, "internal", resp.ErrorCode(), "a 500 must carry the internal envelope: %s", resp.Body)
		return
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
