package main

import (
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// exactContent says what each answer's body really is. Swag gives every response of an
// operation all the types listed in @Produce, so a file download would claim JSON for its file
// and xlsx for its errors. Files are answered as the file types only, errors always as JSON.
func exactContent(doc *openapi3.T) {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for status, resp := range op.Responses.Map() {
				if resp.Value == nil || len(resp.Value.Content) < 2 {
					continue
				}
				content := resp.Value.Content
				if strings.HasPrefix(status, "2") && isFile(content) {
					delete(content, "application/json")
					continue
				}
				if json := content.Get("application/json"); json != nil && !strings.HasPrefix(status, "2") {
					resp.Value.Content = openapi3.Content{"application/json": json}
				}
			}
		}
	}
}

// isFile reports whether a response's bodies are binary (format: binary strings).
func isFile(content openapi3.Content) bool {
	for _, mt := range content {
		if mt.Schema == nil || mt.Schema.Value == nil || mt.Schema.Value.Format != "binary" {
			return false
		}
	}
	return true
}
