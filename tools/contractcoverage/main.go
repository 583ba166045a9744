// Command contractcoverage fails when an operation of the published contract was exercised by
// no HTTP test. The tests write the operation ids they called into a directory (see
// apitest.CoverageDirEnv); run it after `go test ./...` with that variable set:
//
//	XUEFA_CONTRACT_COVERAGE_DIR=$(mktemp -d) go test ./... && go run ./tools/contractcoverage -dir "$XUEFA_CONTRACT_COVERAGE_DIR"
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/xuefa/xuefa/api"
)

func main() {
	dir := flag.String("dir", os.Getenv("XUEFA_CONTRACT_COVERAGE_DIR"), "directory the tests wrote operation ids into")
	flag.Parse()
	missing, total, err := uncovered(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "contractcoverage:", err)
		os.Exit(2)
	}
	if len(missing) > 0 {
		fmt.Printf("%d of %d operations of api/openapi.json are exercised by no test:\n", len(missing), total)
		for _, id := range missing {
			fmt.Println("  " + id)
		}
		os.Exit(1)
	}
	fmt.Printf("every one of the %d operations of api/openapi.json is exercised by a test\n", total)
}

// uncovered is the operation ids of the contract that no file in dir names, sorted.
func uncovered(dir string) (missing []string, total int, err error) {
	if dir == "" {
		return nil, 0, fmt.Errorf("no -dir (nor XUEFA_CONTRACT_COVERAGE_DIR)")
	}
	ids, err := operationIDs()
	if err != nil {
		return nil, 0, err
	}
	seen := map[string]bool{}
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, 0, err
	}
	if len(files) == 0 {
		return nil, 0, fmt.Errorf("%s holds no coverage files: did the tests run with XUEFA_CONTRACT_COVERAGE_DIR set?", dir)
	}
	for _, f := range files {
		if err := readIDs(f, seen); err != nil {
			return nil, 0, err
		}
	}
	for _, id := range ids {
		if !seen[id] {
			missing = append(missing, id)
		}
	}
	return missing, len(ids), nil
}

func operationIDs() ([]string, error) {
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPIJSON, &doc); err != nil {
		return nil, err
	}
	var ids []string
	for _, item := range doc.Paths {
		for _, op := range item {
			if op.OperationID != "" {
				ids = append(ids, op.OperationID)
			}
		}
	}
	slices.Sort(ids)
	return ids, nil
}

func readIDs(path string, into map[string]bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		into[sc.Text()] = true
	}
	return sc.Err()
}
