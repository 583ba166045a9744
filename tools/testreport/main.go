// Command testreport reads `go test -json` on stdin and prints what a person needs from a long
// run: each package's result as it finishes, the output of every failing test, then the 20
// slowest tests and every package's wall time, and a closing "N passed, N failed" line. It exits
// 1 when any test or package failed (a build failure included), so `go test -json ./... |
// go run ./tools/testreport` under `set -o pipefail` fails exactly when `go test` would.
//
// Usage: go test -race -json ./... | go run ./tools/testreport [-top 20] [-json-out FILE]
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Time    time.Time
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

type testKey struct{ pkg, test string }

type report struct {
	out        io.Writer
	output     map[testKey][]string // lines of a test (or of a package, test "") still running
	tests      map[testKey]float64  // elapsed seconds of finished top-level tests
	packages   map[string]float64   // elapsed seconds of finished packages
	pkgFailed  map[string]bool
	passed     int
	failed     int
	skipped    int
	failedPkgs int
}

func newReport(out io.Writer) *report {
	return &report{out: out, output: map[testKey][]string{}, tests: map[testKey]float64{},
		packages: map[string]float64{}, pkgFailed: map[string]bool{}}
}

func (r *report) add(e event) {
	key := testKey{e.Package, e.Test}
	switch e.Action {
	case "output":
		r.output[key] = append(r.output[key], e.Output)
	case "build-output":
		fmt.Fprint(r.out, e.Output) // compiler errors: go test -json reports them this way
	case "pass", "fail", "skip":
		if e.Test != "" {
			r.finishTest(key, e)
		} else {
			r.finishPackage(e)
		}
	}
}

func (r *report) finishTest(key testKey, e event) {
	lines := r.output[key]
	delete(r.output, key)
	switch e.Action {
	case "pass":
		r.passed++
	case "skip":
		r.skipped++
	case "fail":
		r.failed++
		// A failing subtest's parent fails too: print the output once, at the deepest level.
		fmt.Fprintf(r.out, "--- FAIL: %s %s (%.2fs)\n", e.Package, e.Test, e.Elapsed)
		for _, l := range lines {
			fmt.Fprint(r.out, "    ", l)
		}
	}
	if !strings.Contains(e.Test, "/") {
		r.tests[key] = e.Elapsed
	}
}

func (r *report) finishPackage(e event) {
	key := testKey{e.Package, ""}
	lines := r.output[key]
	delete(r.output, key)
	r.packages[e.Package] = e.Elapsed
	if e.Action == "fail" {
		r.failedPkgs++
		r.pkgFailed[e.Package] = true
		fmt.Fprintf(r.out, "FAIL\t%s\t%.1fs\n", e.Package, e.Elapsed)
		for _, l := range lines {
			fmt.Fprint(r.out, "    ", l)
		}
		return
	}
	fmt.Fprintf(r.out, "%s\t%s\t%.1fs\n", strings.ToUpper(e.Action), e.Package, e.Elapsed)
}

// summary prints the slowest tests, the package wall times and the closing line.
func (r *report) summary(top int) {
	type row struct {
		name    string
		elapsed float64
	}
	var tests []row
	for k, v := range r.tests {
		tests = append(tests, row{k.pkg + " " + k.test, v})
	}
	sort.Slice(tests, func(i, j int) bool { return tests[i].elapsed > tests[j].elapsed })
	if len(tests) > top {
		tests = tests[:top]
	}
	fmt.Fprintf(r.out, "\n%d slowest tests (seconds, every dialect's subtest included):\n", len(tests))
	for _, t := range tests {
		fmt.Fprintf(r.out, "%8.2f  %s\n", t.elapsed, t.name)
	}
	var pkgs []row
	var total float64
	for k, v := range r.packages {
		pkgs = append(pkgs, row{k, v})
		total += v
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].elapsed > pkgs[j].elapsed })
	fmt.Fprintf(r.out, "\npackage wall time (seconds; %.0f s summed over %d packages):\n", total, len(pkgs))
	for _, p := range pkgs {
		mark := ""
		if r.pkgFailed[p.name] {
			mark = "  FAIL"
		}
		fmt.Fprintf(r.out, "%8.2f  %s%s\n", p.elapsed, p.name, mark)
	}
	fmt.Fprintf(r.out, "\ntests: %d passed, %d failed, %d skipped\n", r.passed, r.failed, r.skipped)
}

func main() {
	top := flag.Int("top", 20, "how many of the slowest tests to list")
	jsonOut := flag.String("json-out", "", "also copy the raw JSON stream to this file")
	flag.Parse()

	var raw io.Writer = io.Discard
	if *jsonOut != "" {
		f, err := os.Create(*jsonOut)
		if err != nil {
			fmt.Fprintln(os.Stderr, "testreport:", err)
			os.Exit(2)
		}
		defer f.Close()
		raw = f
	}
	r := newReport(os.Stdout)
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		fmt.Fprintf(raw, "%s\n", line)
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Println(string(line)) // build errors and anything else go test prints as text
			continue
		}
		r.add(e)
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "testreport: reading input:", err)
		os.Exit(2)
	}
	r.summary(*top)
	if r.failed > 0 || r.failedPkgs > 0 {
		os.Exit(1)
	}
	if r.passed == 0 {
		fmt.Println("testreport: no test ran")
		os.Exit(1)
	}
}
