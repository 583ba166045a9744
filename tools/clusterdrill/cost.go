package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The cost drill measures what one request of each hot kind costs in CPU on the replicas, on
// the Galera nodes (a write is applied on all three) and on HAProxy, by reading the processes'
// CPU time around a phase that sends only that kind: the figures docs/deployment.md's sizing
// table is built from. CPU time per request holds still where throughput moves with whatever
// else the machine runs, so it is what a capacity model can use.
const (
	costLearners = 200
	costRounds   = 3 // exam rounds: each learner starts and submits this many attempts
	flatOut      = 15 * time.Second
	costWorkers  = 32
)

// cpuOf is the CPU time the cluster's processes have used, by role: the replicas, the Galera
// node HAProxy sends the SQL to (n1, the writer), the two that apply its write sets, HAProxy.
type cpuOf struct{ api, writer, appliers, lb time.Duration }

func costs(d *drill) error {
	admin, err := login(d.newClient(0), "admin", demoPassword)
	if err != nil {
		return err
	}
	unitID, err := d.drillUnit(admin)
	if err != nil {
		return err
	}
	people, err := d.enrol(admin, unitID, costLearners)
	if err != nil {
		return err
	}
	var campaigns struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if code := people[0].call(http.MethodGet, "/api/v1/campaigns?status=active", nil, &campaigns); code != http.StatusOK || len(campaigns.Items) == 0 {
		return fmt.Errorf("no active campaign (status %d)", code)
	}
	credits := fmt.Sprintf("/api/v1/me/credits?campaign_id=%d", campaigns.Items[0].ID)
	examID, err := d.drillExam(admin, unitID, time.Hour, costRounds)
	if err != nil {
		return err
	}
	fmt.Println("| request | requests | per second | API CPU ms | writer node CPU ms | each other node CPU ms | HAProxy CPU ms |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	d.measure("login (argon2id)", people, func(p *examinee) int {
		_, err := login(p.client, p.username, p.password)
		return map[bool]int{true: 200, false: 0}[err == nil]
	})
	d.measureFlatOut("GET /me/credits (home screen)", people, func(p *examinee) int { return p.call(http.MethodGet, credits, nil, nil) })
	d.measureFlatOut("GET /me/credits/ledger", people, func(p *examinee) int {
		return p.call(http.MethodGet, strings.Replace(credits, "/credits?", "/credits/ledger?", 1), nil, nil)
	})
	for round := range costRounds {
		suffix := fmt.Sprintf(" (round %d)", round+1)
		d.measure("exam start: draw a paper"+suffix, people, func(p *examinee) int {
			var a attemptView
			code := p.call(http.MethodPost, fmt.Sprintf("/api/v1/exams/%d/attempts", examID), nil, &a)
			p.attempt, p.questions = a.ID, a.Questions
			return code
		})
		if round == 0 {
			d.measureFlatOut("exam autosave", people, func(p *examinee) int {
				q := p.questions[int(time.Now().UnixNano()/1000)%len(p.questions)]
				return p.call(http.MethodPut, fmt.Sprintf("/api/v1/attempts/%d/answers/%d", p.attempt, q.QuestionID), map[string]any{"answer": "A"}, nil)
			})
		}
		d.measure("exam submit: grade, result, credit, wrong book"+suffix, people, func(p *examinee) int {
			return p.call(http.MethodPost, fmt.Sprintf("/api/v1/attempts/%d/submit", p.attempt), nil, nil)
		})
	}
	return nil
}

// measure sends one request per learner (costWorkers at a time) and prints its costs.
func (d *drill) measure(kind string, people []*examinee, send func(p *examinee) int) {
	var next, ok atomic.Int64
	d.metered(kind, func() {
		var wg sync.WaitGroup
		for range costWorkers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1) - 1; i < int64(len(people)); i = next.Add(1) - 1 {
					if code := send(people[i]); code >= 200 && code < 300 {
						ok.Add(1)
					}
				}
			}()
		}
		wg.Wait()
	}, &ok)
}

// measureFlatOut sends requests from costWorkers clients for flatOut and prints their costs.
func (d *drill) measureFlatOut(kind string, people []*examinee, send func(p *examinee) int) {
	var ok atomic.Int64
	d.metered(kind, func() {
		var wg sync.WaitGroup
		stop := time.Now().Add(flatOut)
		for w := range costWorkers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := w; time.Now().Before(stop); n += costWorkers {
					if code := send(people[n%len(people)]); code >= 200 && code < 300 {
						ok.Add(1)
					}
				}
			}()
		}
		wg.Wait()
	}, &ok)
}

// metered runs the phase between two readings of the cluster's CPU and prints a table row.
func (d *drill) metered(kind string, phase func(), ok *atomic.Int64) {
	before, began := d.clusterCPU(), time.Now()
	phase()
	took, after := time.Since(began), d.clusterCPU()
	n := ok.Load()
	if n == 0 {
		fmt.Printf("| %s | 0 | – | – | – | – | – |\n", kind)
		return
	}
	per := func(a, b time.Duration) string {
		return strconv.FormatFloat(float64(a-b)/float64(n)/float64(time.Millisecond), 'f', 2, 64)
	}
	fmt.Printf("| %s | %d | %.0f | %s | %s | %s | %s |\n", kind, n, float64(n)/took.Seconds(),
		per(after.api, before.api), per(after.writer, before.writer), per(after.appliers/2, before.appliers/2), per(after.lb, before.lb))
}

// clusterCPU reads the CPU time of the replicas, the Galera nodes and HAProxy from /proc.
func (d *drill) clusterCPU() cpuOf {
	dir := d.clusterDir()
	var c cpuOf
	for i := 1; i <= 3; i++ {
		c.api += pidFileCPU(filepath.Join(dir, fmt.Sprintf("a%d.pid", i)))
		node := pidFileCPU(filepath.Join(dir, fmt.Sprintf("n%d", i), "mysqld.pid"))
		if i == 1 {
			c.writer = node
		} else {
			c.appliers += node
		}
	}
	c.lb = pidFileCPU(filepath.Join(dir, "haproxy.pid"))
	return c
}

func (d *drill) clusterDir() string {
	if dir := os.Getenv("XUEFA_CLUSTER_DIR"); dir != "" {
		return dir
	}
	return "/tmp/xuefa-cluster"
}

// pidFileCPU is the user + system CPU time of the process named in a pid file (0 if none).
func pidFileCPU(pidFile string) time.Duration {
	pid, err := os.ReadFile(pidFile)
	if err != nil {
		return 0
	}
	stat, err := os.ReadFile(filepath.Join("/proc", strings.TrimSpace(string(pid)), "stat"))
	if err != nil {
		return 0
	}
	// Fields after the command (which may hold spaces) start at state; utime and stime are
	// the 14th and 15th fields of the line, in clock ticks of 1/100 s.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
