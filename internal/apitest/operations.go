package apitest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// CoverageDirEnv names a directory where each test process writes the operation ids its HTTP
// tests exercised, one per line (tools/contractcoverage reads them all and fails on an operation
// of the contract that no test called). Unset, nothing is written.
const CoverageDirEnv = "XUEFA_CONTRACT_COVERAGE_DIR"

var coverage struct {
	mu   sync.Mutex
	seen map[string]bool
	file *os.File
}

// covered records that a test exercised the operation: once per process, appended as it happens
// so nothing depends on how the process ends.
func covered(operationID string) {
	dir := os.Getenv(CoverageDirEnv)
	if dir == "" || operationID == "" {
		return
	}
	coverage.mu.Lock()
	defer coverage.mu.Unlock()
	if coverage.seen[operationID] {
		return
	}
	if coverage.file == nil {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("ops-%d.txt", os.Getpid())))
		if err != nil {
			panic(fmt.Errorf("apitest: contract coverage: %w", err))
		}
		coverage.file, coverage.seen = f, map[string]bool{}
	}
	coverage.seen[operationID] = true
	if _, err := fmt.Fprintln(coverage.file, operationID); err != nil {
		panic(fmt.Errorf("apitest: contract coverage: %w", err))
	}
}
