// Command clusterdrill runs a drill against the local cluster of tools/cluster/cluster.sh and
// prints its figures; it exits 1 when the drill fails.
//
//	tools/cluster/cluster.sh up
//	go run ./tools/clusterdrill rolling-restart   # replicas restarted one by one (SIGTERM) under load
//	go run ./tools/clusterdrill db-node-down      # the writer Galera node stopped under load, then started
//	go run ./tools/clusterdrill redis-down        # Redis stopped under load, then started
//	go run ./tools/clusterdrill replica-killed-mid-exam  # 500 examinees autosaving; a replica SIGKILLed (exam.go)
//	go run ./tools/clusterdrill db-node-down-mid-exam    # the same exam and 100 WeChat quiz players (exam_quiz.go); the writer Galera node stopped instead
//	go run ./tools/clusterdrill costs             # CPU per request of each hot kind, by tier (cost.go)
//	go run ./tools/clusterdrill journey           # admin, learners and WeChat participants through the balancer (journey*.go)
//	go run ./tools/clusterdrill wechat-fake -addr 127.0.0.1:8099  # the fake WeChat API cluster.sh runs (wechatfake.go)
//
// The first three drive the same load: the twelve demo learners read their credits and ask consultations
// (every fifth request a write) through the balancer, -workers clients flat out.
// rolling-restart stops each replica in turn with SIGTERM and starts it again; it passes when no
// request failed at the balancer. db-node-down stops n1 (the node HAProxy sends the writes to),
// waits, starts it again and waits until it has rejoined; it reports the requests that failed
// while connections moved to another node, and passes when every consultation answered 201 is
// in the database afterwards, and no more were written than were asked. redis-down stops Redis
// for 8 s and starts it again; it passes when no request failed (rate limits and principal
// drops fall back to each replica, leaderboards to SQL).
package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

func main() {
	fs := flag.NewFlagSet("clusterdrill", flag.ExitOnError)
	api := fs.String("api", "http://127.0.0.1:8090", "the balancer")
	workers := fs.Int("workers", 16, "concurrent clients")
	script := fs.String("cluster", "tools/cluster/cluster.sh", "the cluster script")
	sqlDSN := fs.String("dsn", "xuefa:xuefa-cluster@tcp(127.0.0.1:3310)/xuefa?parseTime=true", "the cluster's database, through the balancer")
	replicas := fs.String("replicas", "http://127.0.0.1:8091,http://127.0.0.1:8092,http://127.0.0.1:8093", "the replicas, each read directly (journey)")
	wechatAPI := fs.String("wechat", "http://127.0.0.1:8099", "the fake WeChat API the replicas call (journey)")
	busyOK := fs.Bool("busy-ok", false, "journey: tolerate 503 answers the client's retry after Retry-After got past")
	drills := map[string]func(d *drill) error{"rolling-restart": rollingRestart, "db-node-down": dbNodeDown, "redis-down": redisDown,
		"replica-killed-mid-exam": replicaKilledMidExam, "db-node-down-mid-exam": dbNodeDownMidExam, "costs": costs, "journey": runJourney}
	if len(os.Args) >= 2 && os.Args[1] == "wechat-fake" {
		if err := wechatFake(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "clusterdrill wechat-fake:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) < 2 || drills[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: clusterdrill rolling-restart|db-node-down|redis-down|replica-killed-mid-exam|db-node-down-mid-exam|costs|journey [-api URL] [-workers N] [-cluster SCRIPT] [-dsn DSN] [-replicas URL,URL,URL] [-wechat URL] [-busy-ok]")
		fmt.Fprintln(os.Stderr, "       clusterdrill wechat-fake [-addr HOST:PORT]")
		os.Exit(2)
	}
	_ = fs.Parse(os.Args[2:])
	d := &drill{name: os.Args[1], api: *api, workers: *workers, script: *script, dsn: *sqlDSN,
		replicas: strings.Split(*replicas, ","), wechat: *wechatAPI, busyOK: *busyOK, run: time.Now().UTC().Format("150405.000")}
	if err := drills[d.name](d); err != nil {
		fmt.Fprintln(os.Stderr, "clusterdrill:", err)
		os.Exit(1)
	}
}

type client struct {
	api   string
	http  *http.Client
	token string
	ip    string // sent as X-Forwarded-For: the phone's address the replicas see behind HAProxy
	// failure is the body of the last answer of 400 or more, for the drill's error messages.
	failure atomic.Value
}

// lastFailure returns the body of the last answer of 400 or more.
func (c *client) lastFailure() string {
	s, _ := c.failure.Load().(string)
	return s
}

// call sends one request and returns its status (0 when it did not complete).
func (c *client) call(method, path string, body, out any) int {
	return c.send(method, path, body, out, nil)
}

// send is call with extra headers.
func (c *client) send(method, path string, body, out any, header map[string]string) int {
	code, _ := c.exchange(method, path, body, out, header)
	return code
}

// exchange is send that also returns the answer's headers (nil when it did not complete).
func (c *client) exchange(method, path string, body, out any, header map[string]string) (int, http.Header) {
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
	if c.ip != "" {
		req.Header.Set("X-Forwarded-For", c.ip)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	if out != nil && res.StatusCode < 300 {
		_ = json.NewDecoder(res.Body).Decode(out)
	}
	if res.StatusCode >= 400 {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 2048))
		c.failure.Store(string(b))
	}
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header
}

// learner logs in demo learner k (1-12) through the balancer.
func learner(api string, k int) (*client, error) {
	return login(&client{api: api, http: &http.Client{Timeout: 30 * time.Second}}, fmt.Sprintf("138%08d", k), demoPassword)
}

// demoPassword is the demo seed's password of every account.
const demoPassword = "Xuefa@2026"

// login logs c in and keeps its access token.
func login(c *client, username, password string) (*client, error) {
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	login := map[string]string{"username": username, "password": password}
	if code := c.call(http.MethodPost, "/api/v1/auth/login", login, &tok); code != http.StatusOK {
		return nil, fmt.Errorf("login of %s: status %d", username, code)
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

// drill is one run: its settings, and the consultations the load created.
type drill struct {
	name, api, script, dsn string
	workers                int
	run                    string   // marks this run's consultations
	replicas               []string // each replica's own address (the journey reads them directly)
	wechat                 string   // the fake WeChat API (the journey reads what it received)
	busyOK                 bool     // the journey tolerates 503s its client retry got past

	mu      sync.Mutex
	created []int64 // ids of consultations answered 201
}

// cluster runs one of cluster.sh's commands, showing its output.
func (d *drill) cluster(args ...string) error {
	out, err := exec.Command(d.script, args...).CombinedOutput()
	fmt.Print(string(out))
	if err != nil {
		return fmt.Errorf("cluster.sh %v: %w", args, err)
	}
	return nil
}

// underLoad drives the load while events runs, and a few seconds before and after it.
func (d *drill) underLoad(events func() error) (*tally, time.Duration, error) {
	// The twelve demo learners, each logged in once (logins are rate limited per account) and
	// shared by the workers.
	learners := make([]*client, 12)
	for k := range learners {
		var err error
		if learners[k], err = learner(d.api, k+1); err != nil {
			return nil, 0, err
		}
	}
	var campaigns struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if code := learners[0].call(http.MethodGet, "/api/v1/campaigns?status=active", nil, &campaigns); code != http.StatusOK || len(campaigns.Items) == 0 {
		return nil, 0, fmt.Errorf("no active campaign (status %d)", code)
	}
	campaign := campaigns.Items[0].ID
	t := &tally{failed: map[int]int{}}
	var wg sync.WaitGroup
	for w := range d.workers {
		c := learners[w%len(learners)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; !t.stopped.Load(); n++ {
				began := time.Now()
				var code int
				if n%5 == 4 {
					var asked struct {
						ID int64 `json:"id"`
					}
					code = c.call(http.MethodPost, "/api/v1/consultations", map[string]any{"campaign_id": campaign,
						"question": fmt.Sprintf("演练提问（%s %s）：第 %d 个问题能否送达？", d.name, d.run, n)}, &asked)
					t.writes.Add(1)
					if code == http.StatusCreated {
						d.mu.Lock()
						d.created = append(d.created, asked.ID)
						d.mu.Unlock()
					}
				} else {
					code = c.call(http.MethodGet, fmt.Sprintf("/api/v1/me/credits?campaign_id=%d", campaign), nil, nil)
				}
				t.add(code, time.Since(began))
			}
		}()
	}
	began := time.Now()
	time.Sleep(3 * time.Second)
	err := events()
	time.Sleep(3 * time.Second)
	t.stopped.Store(true)
	wg.Wait()
	return t, time.Since(began), err
}

func rollingRestart(d *drill) error {
	t, took, err := d.underLoad(func() error {
		for i := 1; i <= 3; i++ {
			if err := d.cluster("restart-replica", fmt.Sprint(i)); err != nil {
				return err
			}
			time.Sleep(2 * time.Second)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if failed := t.report(d.name, took, d.workers); failed > 0 {
		return fmt.Errorf("%d requests failed at the balancer", failed)
	}
	return nil
}

func dbNodeDown(d *drill) error {
	t, took, err := d.underLoad(func() error {
		if err := d.cluster("stop-node", "1"); err != nil {
			return err
		}
		time.Sleep(8 * time.Second)
		return d.cluster("start-node", "1")
	})
	if err != nil {
		return err
	}
	t.report(d.name, took, d.workers)
	return d.checkWrites(t.writes.Load())
}

func redisDown(d *drill) error {
	t, took, err := d.underLoad(func() error {
		if err := d.cluster("stop-redis"); err != nil {
			return err
		}
		time.Sleep(8 * time.Second)
		return d.cluster("start-redis")
	})
	if err != nil {
		return err
	}
	if failed := t.report(d.name, took, d.workers); failed > 0 {
		return fmt.Errorf("%d requests failed while Redis was down", failed)
	}
	return d.checkWrites(t.writes.Load())
}

// checkWrites finds every consultation answered 201 in the database, and no more of this
// drill's than were asked.
func (d *drill) checkWrites(asked int64) error {
	db, err := sql.Open("mysql", d.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	stored := map[int64]bool{}
	rows, err := db.Query("SELECT id FROM consultations WHERE question LIKE ?", "演练提问（"+d.name+" "+d.run+"）%")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		stored[id] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	lost := 0
	for _, id := range d.created {
		if !stored[id] {
			lost++
		}
	}
	fmt.Printf("%s: %d consultations asked, %d answered 201, %d stored; %d answered 201 but missing\n",
		d.name, asked, len(d.created), len(stored), lost)
	if lost > 0 || int64(len(stored)) > asked {
		return fmt.Errorf("writes lost (%d) or more stored (%d) than asked (%d)", lost, len(stored), asked)
	}
	return nil
}

// report prints the load's figures and returns how many requests failed.
func (t *tally) report(name string, d time.Duration, workers int) int {
	slices.Sort(t.lat)
	q := func(p float64) time.Duration { return t.lat[min(len(t.lat)-1, int(p*float64(len(t.lat))))] }
	failed := 0
	for _, n := range t.failed {
		failed += n
	}
	fmt.Printf("%s: %d requests (%d writes) in %.1f s from %d clients, %.0f ok/s; p50 %v, p99 %v, max %v; failed %d %v\n",
		name, len(t.lat), t.writes.Load(), d.Seconds(), workers, float64(t.ok)/d.Seconds(),
		q(0.50).Round(time.Microsecond*10), q(0.99).Round(time.Microsecond*10), t.lat[len(t.lat)-1].Round(time.Millisecond), failed, t.failed)
	return failed
}
