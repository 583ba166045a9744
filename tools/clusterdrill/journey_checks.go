package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// together runs fns at once and waits for all of them.
func together(fns ...func()) {
	var wg sync.WaitGroup
	for _, f := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f()
		}()
	}
	wg.Wait()
}

// each runs do(0..n-1) at once and returns the errors, in order (nil where it succeeded).
func each(n int, do func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = do(i)
		}()
	}
	wg.Wait()
	return errs
}

// firstError returns how many errs are not nil and the first of them.
func firstError(errs []error) (int, error) {
	n, first := 0, error(nil)
	for _, err := range errs {
		if err != nil && n == 0 {
			first = err
		}
		if err != nil {
			n++
		}
	}
	return n, first
}

// cents reads a credit amount (a JSON number with two decimals) in hundredths.
func cents(n json.Number) int64 {
	f, _ := n.Float64()
	return int64(math.Round(f * 100))
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return ": " + err.Error()
}

// verdicts are the checks of a run.
type verdicts struct {
	mu   sync.Mutex
	list []bool
}

// check records and prints one check; it returns ok.
func (v *verdicts) check(name string, ok bool, format string, args ...any) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.list = append(v.list, ok)
	mark := "PASS"
	if !ok {
		mark = "FAIL"
	}
	fmt.Printf("journey: %s %s: %s\n", mark, name, fmt.Sprintf(format, args...))
	return ok
}

func (v *verdicts) failed() (failed, total int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, ok := range v.list {
		if !ok {
			failed++
		}
	}
	return failed, len(v.list)
}

// meter counts every request the drill sends, by the replica that answered a balanced one
// (HAProxy's X-Served-By, set by cluster.sh), and how often one client's next request went to
// another replica than its previous one. It also retries as the mini-program does: a 503 (the
// API's service.unavailable, "busy, try again", with Retry-After) is sent again after the wait,
// at most busyRetries times; each 503 stays counted as a failed answer, by route.
type meter struct {
	base     http.RoundTripper
	balancer string // host:port

	mu        sync.Mutex
	requests  int
	direct    int
	byReplica map[string]int
	statuses  map[int]int
	failed    int
	failures  []string
	retried   map[string]int    // route → 503 answers sent again
	last      map[string]string // client (token and phone address) → replica of its last request
	pairs     int
	switched  int
}

// busyRetries is how often a request answered 503 is sent again; maxRetryAfter caps the wait.
const (
	busyRetries   = 3
	maxRetryAfter = 5 * time.Second
)

var idInPath = regexp.MustCompile(`/[0-9]+`)

func newMeter(base http.RoundTripper, api string) *meter {
	host := strings.TrimPrefix(strings.TrimPrefix(api, "http://"), "https://")
	return &meter{base: base, balancer: strings.TrimSuffix(host, "/"), byReplica: map[string]int{}, statuses: map[int]int{},
		retried: map[string]int{}, last: map[string]string{}}
}

func (m *meter) RoundTrip(req *http.Request) (*http.Response, error) {
	for try := 0; ; try++ {
		res, err := m.base.RoundTrip(req)
		m.record(req, res, err)
		if err != nil || res.StatusCode != http.StatusServiceUnavailable || try == busyRetries || (req.Body != nil && req.GetBody == nil) {
			return res, err
		}
		wait := maxRetryAfter
		if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && s >= 0 {
			wait = min(time.Duration(s)*time.Second, maxRetryAfter)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		m.mu.Lock()
		m.retried[req.Method+" "+idInPath.ReplaceAllString(req.URL.Path, "/:id")]++
		m.mu.Unlock()
		time.Sleep(wait)
		again := req.Clone(req.Context())
		if req.GetBody != nil {
			if again.Body, err = req.GetBody(); err != nil {
				return nil, err
			}
		}
		req = again
	}
}

// record counts one answer.
func (m *meter) record(req *http.Request, res *http.Response, err error) {
	code := 0
	if err == nil {
		code = res.StatusCode
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests++
	m.statuses[code]++
	if code == 0 || code >= 500 {
		m.failed++
		if len(m.failures) < 10 {
			m.failures = append(m.failures, fmt.Sprintf("%s %s %s → %d %v", req.Method, req.URL.Host, req.URL.Path, code, err))
		}
	}
	if req.URL.Host != m.balancer {
		m.direct++
		return
	}
	replica := "none"
	if err == nil {
		replica = res.Header.Get("X-Served-By")
	}
	m.byReplica[replica]++
	who := req.Header.Get("Authorization") + "|" + req.Header.Get("X-Forwarded-For")
	if prev, ok := m.last[who]; ok {
		m.pairs++
		if prev != replica {
			m.switched++
		}
	}
	m.last[who] = replica
}

// serverErrors is the check that no request was answered 5xx or not at all. With -busy-ok,
// 503s that the retry got past are tolerated (each check still sees the final answers).
func (j *journey) serverErrors() {
	m := j.meter
	m.mu.Lock()
	defer m.mu.Unlock()
	retried := 0
	for _, n := range m.retried {
		retried += n
	}
	ok := m.failed == 0 || j.busyOK && m.failed == retried
	j.verdict.check("no server errors", ok, "%d answers 5xx or none (%v); 503 service.unavailable sent again after Retry-After: %d %v%s",
		m.failed, firstN(m.failures, 3), retried, m.retried, map[bool]string{true: " (tolerated: -busy-ok)", false: ""}[j.busyOK && retried > 0])
}
