package api

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The error-code table of README.md is the prose of the ErrorCode enum that tools/openapi3
// reads out of the code: every code answered has a row, and no row names a code that no longer
// exists.
func TestReadmeTableListsEveryErrorCode(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Enum []string `json:"enum"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(OpenAPIJSON, &doc); err != nil {
		t.Fatal(err)
	}
	enum := doc.Components.Schemas["ErrorCode"].Enum
	if len(enum) == 0 {
		t.Fatal("openapi.json has no ErrorCode enum (run make docs)")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := tableCodes(string(readme))
	for _, code := range enum {
		if !documented[code] {
			t.Errorf("error code %s is in the ErrorCode enum but has no row in api/README.md's error-code table", code)
		}
	}
	for code := range documented {
		if !slices.Contains(enum, code) {
			t.Errorf("api/README.md documents error code %s, which the code no longer answers", code)
		}
	}
}

// tableCodes is every code named in the first cell of a row of the "## Error codes" section.
func tableCodes(readme string) map[string]bool {
	section := readme[strings.Index(readme, "## Error codes"):]
	if end := strings.Index(section[1:], "\n## "); end >= 0 {
		section = section[:end+1]
	}
	code := regexp.MustCompile("`([a-z][a-z0-9_.]*)`")
	out := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		if cells := strings.Split(line, "|"); len(cells) > 2 && strings.HasPrefix(line, "| `") {
			for _, m := range code.FindAllStringSubmatch(cells[1], -1) {
				out[m[1]] = true
			}
		}
	}
	return out
}
