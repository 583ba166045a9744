// Command clusterdrill runs a drill against the local cluster of tools/cluster/cluster.sh and
// prints its figures; it exits 1 when the drill fails.
//
//	tools/cluster/cluster.sh up
//	go run ./tools/clusterdrill rolling-restart   # replicas restarted one by one (SIGTERM) under load
//
// rolling-restart: learners read their credits and ask consultations (a write) through the
// balancer, with -workers clients flat out, while each replica in turn is stopped with SIGTERM
// and started again. It passes when no request failed at the balancer.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	fs := flag.NewFlagSet("clusterdrill", flag.ExitOnError)
	api := fs.String("api", "http://127.0.0.1:8090", "the balancer")
	workers := fs.Int("workers", 16, "concurrent clients")
	script := fs.String("cluster", "tools/cluster/cluster.sh", "the cluster script")
	if len(os.Args) < 2 || os.Args[1] != "rolling-restart" {
		fmt.Fprintln(os.Stderr, "usage: clusterdrill rolling-restart [-api URL] [-workers N] [-cluster SCRIPT]")
		os.Exit(2)
	}
	_ = fs.Parse(os.Args[2:])
	if err := rollingRestart(*api, *workers, *script); err != nil {
		fmt.Fprintln(os.Stderr, "clusterdrill:", err)
		os.Exit(1)
	}
}

type client struct {
	api   string
	http  *http.Client
	token string
}

// call sends one request and returns its status (0 when it did not complete).
func (c *client) call(method, path string, body, out any) int {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.api+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	if out != nil && res.StatusCode < 300 {
		_ = json.NewDecoder(res.Body).Decode(out)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

// learner logs in demo learner k (1-12) through the balancer.
func learner(api string, k int) (*client, error) {
	c := &client{api: api, http: &http.Client{Timeout: 30 * time.Second}}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	login := map[string]string{"username": fmt.Sprintf("138%08d", k), "password": "Xuefa@2026"}
	if code := c.call(http.MethodPost, "/api/v1/auth/login", login, &tok); code != http.StatusOK {
		return nil, fmt.Errorf("login of learner %d: status %d", k, code)
	}
	c.token = tok.AccessToken
	return c, nil
}

type tally struct {
	mu      sync.Mutex
	lat     []time.Duration
	ok      int
	failed  map[int]int // by status (0: no answer)
	writes  atomic.Int64
	stopped atomic.Bool
}

func (t *tally) add(code int, took time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lat = append(t.lat, took)
	if code >= 200 && code < 300 {
		t.ok++
	} else {
		t.failed[code]++
	}
}

func rollingRestart(api string, workers int, script string) (err error) {
	// The twelve demo learners, each logged in once (logins are rate limited per account) and
	// shared by the workers.
	learners := make([]*client, 12)
	for k := range learners {
		if learners[k], err = learner(api, k+1); err != nil {
			return err
		}
	}
	first := learners[0]
	var campaigns struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if code := first.call(http.MethodGet, "/api/v1/campaigns?status=active", nil, &campaigns); code != http.StatusOK || len(campaigns.Items) == 0 {
		return fmt.Errorf("no active campaign (status %d)", code)
	}
	campaign := campaigns.Items[0].ID
	t := &tally{failed: map[int]int{}}
	var wg sync.WaitGroup
	for w := range workers {
		c := learners[w%len(learners)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; !t.stopped.Load(); n++ {
				began := time.Now()
				var code int
				if n%5 == 4 {
					code = c.call(http.MethodPost, "/api/v1/consultations", map[string]any{"campaign_id": campaign,
						"question": fmt.Sprintf("演练提问：滚动重启期间的第 %d 个问题能否送达？", n)}, nil)
					t.writes.Add(1)
				} else {
					code = c.call(http.MethodGet, fmt.Sprintf("/api/v1/me/credits?campaign_id=%d", campaign), nil, nil)
				}
				t.add(code, time.Since(began))
			}
		}()
	}
	began := time.Now()
	time.Sleep(3 * time.Second)
	for i := 1; i <= 3; i++ {
		out, err := exec.Command(script, "restart-replica", fmt.Sprint(i)).CombinedOutput()
		fmt.Print(string(out))
		if err != nil {
			t.stopped.Store(true)
			wg.Wait()
			return fmt.Errorf("restart of replica a%d: %w", i, err)
		}
		time.Sleep(2 * time.Second)
	}
	time.Sleep(3 * time.Second)
	t.stopped.Store(true)
	wg.Wait()
	return t.report(time.Since(began), workers)
}

func (t *tally) report(d time.Duration, workers int) error {
	slices.Sort(t.lat)
	q := func(p float64) time.Duration { return t.lat[min(len(t.lat)-1, int(p*float64(len(t.lat))))] }
	failed := 0
	for _, n := range t.failed {
		failed += n
	}
	fmt.Printf("rolling restart: %d requests (%d writes) in %.1f s from %d clients, %.0f ok/s; p50 %v, p99 %v, max %v; failed %d %v\n",
		len(t.lat), t.writes.Load(), d.Seconds(), workers, float64(t.ok)/d.Seconds(),
		q(0.50).Round(time.Microsecond*10), q(0.99).Round(time.Microsecond*10), t.lat[len(t.lat)-1].Round(time.Millisecond), failed, t.failed)
	if failed > 0 {
		return fmt.Errorf("%d requests failed at the balancer", failed)
	}
	return nil
}
