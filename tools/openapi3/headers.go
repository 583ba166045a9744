package main

import (
	"github.com/getkin/kin-openapi/openapi3"
)

// Response headers every client may rely on. The middleware sets them on every answer, so they
// are declared here once rather than in 165 handlers' annotations.
const (
	requestIDHeader  = "X-Request-ID"
	retryAfterHeader = "Retry-After"
)

// retryAfterStatuses are the answers that say when to try again: a rate limit (429), a locked
// account (423) and a database that could not serve the request (503).
var retryAfterStatuses = []string{"423", "429", "503"}

// applyHeaders declares X-Request-ID on every response and Retry-After where the server sends it.
func applyHeaders(doc *openapi3.T) {
	integer, str := openapi3.TypeInteger, openapi3.TypeString
	if doc.Components.Headers == nil {
		doc.Components.Headers = openapi3.Headers{}
	}
	doc.Components.Headers[requestIDHeader] = &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
		Description: "The request's id: the one the client sent in X-Request-ID, else one the server made. Error bodies carry it as request_id; quote it when reporting a problem.",
		Required:    true,
		Schema:      openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{str}, MaxLength: ptr(uint64(64))}),
	}}}
	doc.Components.Headers[retryAfterHeader] = &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
		Description: "Seconds to wait before trying again (RFC 9110 delay-seconds).",
		Schema:      openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{integer}, Min: ptr(0.0)}),
	}}}
	requestID := &openapi3.HeaderRef{Ref: "#/components/headers/" + requestIDHeader, Value: doc.Components.Headers[requestIDHeader].Value}
	retryAfter := &openapi3.HeaderRef{Ref: "#/components/headers/" + retryAfterHeader, Value: doc.Components.Headers[retryAfterHeader].Value}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for status, resp := range op.Responses.Map() {
				if resp.Value == nil {
					continue
				}
				if resp.Value.Headers == nil {
					resp.Value.Headers = openapi3.Headers{}
				}
				resp.Value.Headers[requestIDHeader] = requestID
				for _, s := range retryAfterStatuses {
					if s == status {
						resp.Value.Headers[retryAfterHeader] = retryAfter
					}
				}
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }
