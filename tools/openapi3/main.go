// Command openapi3 converts the Swagger 2.0 document that swag generates
// (docs/swagger.json) into the published OpenAPI 3 contract (api/openapi.yaml
// and api/openapi.json). It is run by `make docs`; its output is committed and
// CI fails when it is stale, so the output must be byte-for-byte deterministic.
//
//	go run ./tools/openapi3 -in docs/swagger.json -out-yaml api/openapi.yaml -out-json api/openapi.json
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"github.com/xuefa/xuefa/internal/integration"
	"github.com/xuefa/xuefa/internal/server"
)

func main() {
	in := flag.String("in", "docs/swagger.json", "Swagger 2.0 JSON input (swag output)")
	outYAML := flag.String("out-yaml", "api/openapi.yaml", "OpenAPI 3 YAML output")
	outJSON := flag.String("out-json", "api/openapi.json", "OpenAPI 3 JSON output")
	flag.Parse()

	if err := run(context.Background(), *in, *outYAML, *outJSON); err != nil {
		fmt.Fprintln(os.Stderr, "openapi3:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, in, outYAML, outJSON string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var doc2 openapi2.T
	if err := json.Unmarshal(raw, &doc2); err != nil {
		return fmt.Errorf("parse %s: %w", in, err)
	}

	doc3, err := openapi2conv.ToV3(&doc2)
	if err != nil {
		return fmt.Errorf("convert: %w", err)
	}

	// Swag emits neither host nor basePath unless annotated; with neither, the
	// conversion yields no servers. Say "same origin" explicitly so clients and
	// viewers do not have to guess.
	if len(doc3.Servers) == 0 {
		doc3.Servers = openapi3.Servers{{URL: "/"}}
	}

	if err := applyWebhooks(ctx, doc3, integration.AllEvents()); err != nil {
		return err
	}
	splitInputs(doc3)
	if err := applyAccess(doc3, server.RouteTable()); err != nil {
		return err
	}
	if err := applyErrorCodes(doc3, server.RouteTable()); err != nil {
		return err
	}
	applyHeaders(doc3)
	exactContent(doc3)
	formatNumbers(doc3)

	// Swag leaves operations outside the route table (/healthz, /readyz) without a security list, which OpenAPI reads as "no
	// requirement declared" (linters flag it). Say explicitly that they need none.
	for _, item := range doc3.Paths.Map() {
		for _, op := range item.Operations() {
			if op.Security == nil {
				op.Security = &openapi3.SecurityRequirements{}
			}
		}
	}

	typeNullableRefs(doc3)

	// Validate with kin-openapi's defaults (examples and defaults are checked
	// against their schemas). Any loosening for swag quirks belongs here, each
	// with a comment saying which quirk it works around.
	if err := doc3.Validate(ctx); err != nil {
		return fmt.Errorf("converted document is invalid: %w", err)
	}

	// Round-trip through a generic value: encoding/json and yaml.v3 both sort
	// map keys, so the output does not depend on struct field order or map
	// iteration order.
	generic, err := toGeneric(doc3)
	if err != nil {
		return err
	}

	var jb bytes.Buffer
	je := json.NewEncoder(&jb)
	je.SetEscapeHTML(false) // keep "<", ">" and "&" readable in descriptions
	je.SetIndent("", "  ")
	if err := je.Encode(generic); err != nil {
		return err
	}

	var yb bytes.Buffer
	ye := yaml.NewEncoder(&yb)
	ye.SetIndent(2)
	if err := ye.Encode(generic); err != nil {
		return err
	}
	if err := ye.Close(); err != nil {
		return err
	}

	return errors.Join(writeFile(outJSON, jb.Bytes()), writeFile(outYAML, yb.Bytes()))
}

// typeNullableRefs gives a type to nullable struct-pointer properties. Swag writes a pointer to a
// struct marked x-nullable as allOf [$ref] plus nullable, with no type; OpenAPI 3.0 only reads
// nullable next to a type (Redocly's nullable-type-sibling rule), so say object.
func typeNullableRefs(doc *openapi3.T) {
	for _, s := range doc.Components.Schemas {
		if s.Value == nil {
			continue
		}
		for _, p := range s.Value.Properties {
			if v := p.Value; v != nil && v.Nullable && len(v.AllOf) > 0 && v.Type == nil {
				v.Type = &openapi3.Types{openapi3.TypeObject}
			}
		}
	}
}

// toGeneric marshals v to JSON and decodes it into maps, slices and scalars.
// Numbers are decoded as json.Number and then narrowed to an integer where
// possible, else float64, so YAML prints 1 rather than 1.0 or 1e+06.
func toGeneric(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return narrowNumbers(out), nil
}

func narrowNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = narrowNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = narrowNumbers(e)
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if u, err := strconv.ParseUint(x.String(), 10, 64); err == nil {
			return u // e.g. a maximum of 2^63, which kin-openapi holds as a float
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	}
	return v
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
