package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// scenarioNames are the named scenarios in the order they run: the baselines first, the county
// leaderboard (the one that can overload the machine) last.
var scenarioNames = []string{
	"baseline-json", "baseline-insert", "baseline-select", "baseline-page",
	"me", "me-credits", "me-credits-running", "me-ledger", "leaderboard-township", "heartbeat", "dashboard-township", "dashboard-county", "leaderboard-county",
}

// baselineOf says which baseline a scenario is compared with: reads of one learner's rows with
// the bare point SELECT, other reads with the bare JSON, writes with the bare INSERT.
var baselineOf = map[string]string{
	"baseline-page": "baseline-select", "me": "baseline-select", "me-credits": "baseline-select", "me-credits-running": "baseline-select", "me-ledger": "baseline-select", "leaderboard-county": "baseline-json", "leaderboard-township": "baseline-json",
	"heartbeat": "baseline-insert", "dashboard-township": "baseline-json", "dashboard-county": "baseline-json",
}

func pickScenarios(list string) ([]string, error) {
	var out []string
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if !slices.Contains(scenarioNames, name) {
			return nil, fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(scenarioNames, ", "))
		}
		out = append(out, name)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no scenario selected")
	}
	return out, nil
}

type scenario struct {
	name     string
	targeter vegeta.Targeter
}

// request builds the next request of a scenario; i counts requests (for rotating actors).
type request func(i uint64) (method, url, token string, body []byte)

func (e *benchEnv) request(name string) request {
	board := fmt.Sprintf("%s/api/v1/credits/leaderboard?campaign_id=%d", e.api, e.campaignID)
	switch name {
	case "baseline-json":
		return func(uint64) (string, string, string, []byte) {
			return http.MethodGet, e.base + "/baseline/json", "", nil
		}
	case "baseline-insert":
		return func(uint64) (string, string, string, []byte) {
			return http.MethodPost, e.base + "/baseline/insert", "", nil
		}
	case "baseline-select":
		return func(i uint64) (string, string, string, []byte) {
			return http.MethodGet, e.base + "/baseline/select?id=" + strconv.FormatInt(e.learners[i%uint64(len(e.learners))].LearnerID, 10), "", nil
		}
	case "baseline-page":
		return func(i uint64) (string, string, string, []byte) {
			return http.MethodGet, fmt.Sprintf("%s/baseline/page?id=%d&campaign_id=%d", e.base,
				e.learners[i%uint64(len(e.learners))].LearnerID, e.campaignID), "", nil
		}
	case "me":
		// The cheapest authenticated read, one statement (the account row) behind the token
		// check and the middleware chain: the floor of every learner request.
		return func(i uint64) (string, string, string, []byte) {
			return http.MethodGet, e.api + "/api/v1/me", e.learners[i%uint64(len(e.learners))].Token, nil
		}
	case "me-ledger":
		url := fmt.Sprintf("%s/api/v1/me/credits/ledger?campaign_id=%d", e.api, e.campaignID)
		return func(i uint64) (string, string, string, []byte) {
			return http.MethodGet, url, e.learners[i%uint64(len(e.learners))].Token, nil
		}
	case "me-credits":
		url := fmt.Sprintf("%s/api/v1/me/credits?campaign_id=%d", e.api, e.campaignID)
		return func(i uint64) (string, string, string, []byte) {
			return http.MethodGet, url, e.learners[i%uint64(len(e.learners))].Token, nil
		}
	case "me-credits-running":
		// The mini-program's home screen names no campaign: the newest running one of the
		// learner's unit.
		return func(i uint64) (string, string, string, []byte) {
			return http.MethodGet, e.api + "/api/v1/me/credits", e.learners[i%uint64(len(e.learners))].Token, nil
		}
	case "leaderboard-county":
		return func(uint64) (string, string, string, []byte) { return http.MethodGet, board, e.county, nil }
	case "leaderboard-township":
		return func(uint64) (string, string, string, []byte) { return http.MethodGet, board, e.township, nil }
	case "heartbeat":
		// No clock advance between beats of one session beyond the rotation (a few hundred ms):
		// each beat credits 0 s but runs the whole transaction.
		return func(i uint64) (string, string, string, []byte) {
			l := e.learners[i%uint64(len(e.learners))]
			return http.MethodPut, fmt.Sprintf("%s/api/v1/study-sessions/%d/heartbeat", e.api, l.SessionID), l.Token,
				[]byte(`{"position":` + strconv.Itoa(l.Position) + `}`)
		}
	}
	return e.supervisionRequest(name)
}

func (e *benchEnv) scenario(name string) scenario {
	next := e.request(name)
	var n atomic.Uint64
	return scenario{name: name, targeter: func(t *vegeta.Target) error {
		method, url, token, body := next(n.Add(1) - 1)
		t.Method, t.URL, t.Body = method, url, body
		t.Header = http.Header{"Content-Type": []string{"application/json"}}
		if token != "" {
			t.Header.Set("Authorization", "Bearer "+token)
		}
		return nil
	}}
}

// outcome is one scenario's figures.
type outcome struct {
	Name       string
	Rate       int
	Duration   time.Duration
	Requests   int
	Throughput float64 // successful requests per second
	P50, P99   time.Duration
	P999       time.Duration // p99.9
	Max        time.Duration
	Errors     int
	Codes      map[string]int
	Load       string // 1-minute load average before → after
	CPU        cpuUse // used during the run (saturated rounds only)

	ok  int             // successful requests (closed-loop runs)
	lat []time.Duration // every request's latency, sorted (closed-loop runs)
}

func (o outcome) ErrorPct() float64 {
	if o.Requests == 0 {
		return 0
	}
	return 100 * float64(o.Errors) / float64(o.Requests)
}

func (o outcome) line() string {
	s := fmt.Sprintf("%4d req/s → %7.1f ok/s   p50 %s   p99 %s   p99.9 %s   max %s   errors %.2f%%",
		o.Rate, o.Throughput, ms(o.P50), ms(o.P99), ms(o.P999), ms(o.Max), o.ErrorPct())
	if o.Errors > 0 {
		s += "  " + o.codes()
	}
	if o.CPU.total() > 0 {
		s += "   " + o.CPU.perRequest(o.Requests)
	}
	return s
}

func (o outcome) codes() string {
	keys := make([]string, 0, len(o.Codes))
	for k := range o.Codes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s×%d", k, o.Codes[k]))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// attack drives the scenario at a constant rate for d (workers bounded, keep-alive, loopback)
// and computes exact percentiles from every response.
func attack(sc scenario, rate int, d time.Duration) outcome {
	atk := vegeta.NewAttacker(
		vegeta.Timeout(10*time.Second), vegeta.KeepAlive(true),
		vegeta.Workers(16), vegeta.MaxWorkers(256), vegeta.Connections(256), vegeta.MaxConnections(256),
		vegeta.Redirects(vegeta.NoFollow),
	)
	var m vegeta.Metrics
	o := outcome{Name: sc.name, Rate: rate, Duration: d, Codes: map[string]int{}}
	var lat []time.Duration
	for res := range atk.Attack(sc.targeter, vegeta.Rate{Freq: rate, Per: time.Second}, d, sc.name) {
		if res.Error == vegeta.ErrNoTargets.Error() {
			// Not a request: a worker found the targets used up (scenarios with a fixed number
			// of requests, e.g. one submit per examinee) and the attack stops. Counted, these
			// showed as a few "no answer" errors.
			continue
		}
		m.Add(res)
		lat = append(lat, res.Latency)
		if res.Error != "" || res.Code < 200 || res.Code > 299 {
			o.Errors++
			key := strconv.Itoa(int(res.Code))
			if res.Code == 0 {
				key = "no answer"
				if strings.Contains(res.Error, "Timeout") || strings.Contains(res.Error, "deadline") {
					key = "timeout"
				}
			}
			o.Codes[key]++
		}
	}
	m.Close()
	o.Requests = len(lat)
	o.Throughput = m.Throughput
	slices.Sort(lat)
	o.P50, o.P99, o.P999 = quantile(lat, 0.50), quantile(lat, 0.99), quantile(lat, 0.999)
	if len(lat) > 0 {
		o.Max = lat[len(lat)-1]
	}
	return o
}

// quantile is the nearest-rank quantile of sorted latencies.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// printTable prints the results as a Markdown table, each scenario next to its baseline.
func printTable(out io.Writer, results []outcome) {
	byName := map[string]outcome{}
	for _, r := range results {
		byName[r.Name] = r
	}
	fmt.Fprintln(out, "| scenario | rate (req/s) | throughput (ok/s) | p50 | p99 | max | errors | p50 / p99 over baseline | load avg |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---|---|")
	for _, r := range results {
		vs := "—"
		if b, ok := byName[baselineOf[r.Name]]; ok {
			vs = fmt.Sprintf("+%s / +%s (%s)", ms(r.P50-b.P50), ms(r.P99-b.P99), b.Name)
		}
		errs := fmt.Sprintf("%.2f %%", r.ErrorPct())
		if r.Errors > 0 {
			errs += " " + r.codes()
		}
		fmt.Fprintf(out, "| %s | %d | %.1f | %s | %s | %s | %s | %s | %s |\n", r.Name, r.Rate, r.Throughput, ms(r.P50), ms(r.P99), ms(r.Max), errs, vs, r.Load)
	}
}

// saturateScenario drives a named scenario with clients sending n requests as fast as they are
// answered (its throughput is the ceiling of the path on this machine).
func (e *benchEnv) saturateScenario(ctx context.Context, name string, clients, n int) outcome {
	next := e.request(name)
	return saturate(ctx, name, clients, n, func(i int) (*http.Request, error) {
		method, url, token, body := next(uint64(i))
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return req, nil
	})
}

// printRatios prints each saturated scenario's throughput over its baseline's in the same round,
// and with several rounds the median of those ratios.
func printRatios(out io.Writer, rounds [][]outcome) {
	fmt.Fprintln(out)
	for i, r := range rounds[0] {
		var ratios []float64
		var each []string
		for _, results := range rounds {
			if b, ok := outcomeNamed(results, baselineOf[r.Name]); ok && b.Throughput > 0 {
				ratio := results[i].Throughput / b.Throughput
				ratios = append(ratios, ratio)
				each = append(each, fmt.Sprintf("%.2f× (%.1f / %.1f ok/s)", ratio, results[i].Throughput, b.Throughput))
			}
		}
		if len(ratios) == 0 {
			continue
		}
		if len(ratios) == 1 {
			fmt.Fprintf(out, "%s over %s: %s\n", r.Name, baselineOf[r.Name], each[0])
			continue
		}
		slices.Sort(ratios)
		fmt.Fprintf(out, "%s over %s: median %.2f× of %d rounds: %s\n", r.Name, baselineOf[r.Name], ratios[len(ratios)/2], len(ratios), strings.Join(each, ", "))
	}
}

// outcomeNamed finds a scenario's outcome in one round.
func outcomeNamed(results []outcome, name string) (outcome, bool) {
	for _, o := range results {
		if o.Name == name {
			return o, true
		}
	}
	return outcome{}, false
}
