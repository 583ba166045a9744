package main

import (
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

const schemaRefPrefix = "#/components/schemas/"

// splitInputs gives request bodies their own copy of each schema that requests and responses
// share. In a request such a schema's properties may be left out (swag's optional markers); in
// a response the server always sends every one. One schema cannot say both, so the response
// keeps the name with every property required, and requests refer to "<Name>Input".
func splitInputs(doc *openapi3.T) {
	schemas := doc.Components.Schemas
	inRequests := map[string]bool{}
	inResponses := map[string]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					reach(schemas, mt.Schema, inRequests)
				}
			}
			for _, resp := range op.Responses.Map() {
				if resp.Value != nil {
					for _, mt := range resp.Value.Content {
						reach(schemas, mt.Schema, inResponses)
					}
				}
			}
		}
	}
	split := map[string]bool{}
	for name := range inRequests {
		if s := schemas[name].Value; inResponses[name] && len(s.Required) < len(s.Properties) {
			split[name] = true
		}
	}
	// A shared schema that holds a split one is split too, so its request copy can point at
	// the request copies below it.
	for changed := true; changed; {
		changed = false
		for name := range inRequests {
			if inResponses[name] && !split[name] && refersTo(schemas[name].Value, split) {
				split[name], changed = true, true
			}
		}
	}
	for name := range split {
		input := *schemas[name].Value
		schemas[name+"Input"] = &openapi3.SchemaRef{Value: &input}
	}
	for name := range split {
		input := schemas[name+"Input"].Value
		input.Properties = openapi3.Schemas{}
		for prop, ref := range schemas[name].Value.Properties {
			input.Properties[prop] = toInputRef(schemas, ref, split)
		}
		output := schemas[name].Value
		output.Required = slices.Sorted(maps.Keys(output.Properties))
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			for _, mt := range op.RequestBody.Value.Content {
				mt.Schema = toInputRef(schemas, mt.Schema, split)
			}
		}
	}
	// Request-only schemas that refer to a split one now refer to its request copy.
	for name := range inRequests {
		if inResponses[name] || split[name] {
			continue
		}
		for prop, ref := range schemas[name].Value.Properties {
			schemas[name].Value.Properties[prop] = toInputRef(schemas, ref, split)
		}
	}
}

// refersTo reports whether a property of s (directly, or as array items or map values) is one
// of the named schemas.
func refersTo(s *openapi3.Schema, names map[string]bool) bool {
	for _, ref := range s.Properties {
		if names[refName(innerRef(ref))] {
			return true
		}
	}
	return false
}

// innerRef is the reference a property makes: itself, its items, its map values, or its allOf.
func innerRef(ref *openapi3.SchemaRef) *openapi3.SchemaRef {
	if ref == nil || ref.Ref != "" || ref.Value == nil {
		return ref
	}
	switch {
	case ref.Value.Items != nil:
		return innerRef(ref.Value.Items)
	case ref.Value.AdditionalProperties.Schema != nil:
		return innerRef(ref.Value.AdditionalProperties.Schema)
	case len(ref.Value.AllOf) == 1:
		return ref.Value.AllOf[0]
	}
	return ref
}

func refName(ref *openapi3.SchemaRef) string {
	if ref == nil {
		return ""
	}
	return strings.TrimPrefix(ref.Ref, schemaRefPrefix)
}

// toInputRef is ref with references to split schemas replaced by their request copies.
func toInputRef(schemas openapi3.Schemas, ref *openapi3.SchemaRef, split map[string]bool) *openapi3.SchemaRef {
	if ref == nil {
		return nil
	}
	if name := refName(ref); name != "" {
		if !split[name] {
			return ref
		}
		return &openapi3.SchemaRef{Ref: schemaRefPrefix + name + "Input", Value: schemas[name+"Input"].Value}
	}
	if ref.Value == nil {
		return ref
	}
	v := *ref.Value
	switch {
	case v.Items != nil:
		v.Items = toInputRef(schemas, v.Items, split)
	case v.AdditionalProperties.Schema != nil:
		v.AdditionalProperties.Schema = toInputRef(schemas, v.AdditionalProperties.Schema, split)
	case len(v.AllOf) == 1:
		v.AllOf = openapi3.SchemaRefs{toInputRef(schemas, v.AllOf[0], split)}
	default:
		return ref
	}
	return &openapi3.SchemaRef{Value: &v}
}

// reach adds to seen every component schema that ref leads to.
func reach(schemas openapi3.Schemas, ref *openapi3.SchemaRef, seen map[string]bool) {
	if ref == nil {
		return
	}
	if name := refName(ref); name != "" {
		if seen[name] {
			return
		}
		seen[name] = true
		ref = schemas[name]
	}
	if ref == nil || ref.Value == nil {
		return
	}
	v := ref.Value
	for _, p := range v.Properties {
		reach(schemas, p, seen)
	}
	reach(schemas, v.Items, seen)
	reach(schemas, v.AdditionalProperties.Schema, seen)
	for _, list := range []openapi3.SchemaRefs{v.AllOf, v.OneOf, v.AnyOf} {
		for _, r := range list {
			reach(schemas, r, seen)
		}
	}
}
