package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// On a small machine a saturated run is CPU-bound: the database server and this process (the
// API, the baseline and the load clients share it) use every core. Throughput then moves with
// whatever else the machine runs, while the CPU each request costs stays put, so the saturated
// rounds report it too: it shows what a change saves, and where (database or API), in a
// handful of runs instead of dozens.

// cpuUse is the CPU time used so far by this process and by the database server (zero when the
// server is not a local process this one can see).
type cpuUse struct{ app, db time.Duration }

// cpuMeter reads cpuUse; dbPID is the local MariaDB/MySQL server, 0 if none was found.
type cpuMeter struct{ dbPID int }

func newCPUMeter() cpuMeter { return cpuMeter{dbPID: findProcess("mariadbd", "mysqld")} }

func (m cpuMeter) read() cpuUse {
	var u cpuUse
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		u.app = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if m.dbPID != 0 {
		u.db = processCPU(m.dbPID)
	}
	return u
}

func (u cpuUse) since(before cpuUse) cpuUse { return cpuUse{u.app - before.app, u.db - before.db} }

// perRequest is "db 0.18 + api 0.24 = 0.42 ms CPU/request" (api alone without a local server).
func (u cpuUse) perRequest(n int) string {
	if n == 0 {
		return ""
	}
	per := func(d time.Duration) float64 { return d.Seconds() * 1000 / float64(n) }
	if u.db == 0 {
		return fmt.Sprintf("api %.2f ms CPU/request", per(u.app))
	}
	return fmt.Sprintf("db %.2f + api %.2f = %.2f ms CPU/request", per(u.db), per(u.app), per(u.db+u.app))
}

func (u cpuUse) total() time.Duration { return u.app + u.db }

// findProcess returns the pid of the first process with one of the names, 0 if none.
func findProcess(names ...string) int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		comm, err := os.ReadFile(filepath.Join(d, "comm"))
		if err != nil {
			continue
		}
		for _, n := range names {
			if strings.TrimSpace(string(comm)) == n {
				pid, _ := strconv.Atoi(filepath.Base(d))
				return pid
			}
		}
	}
	return 0
}

// processCPU reads a process's user+system time from /proc/<pid>/stat (in USER_HZ ticks,
// 100 a second on Linux); 0 when it cannot.
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')') // the command name may hold spaces
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:]) // state is f[0], utime f[11], stime f[12]
	if len(f) < 13 {
		return 0
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(ut+st) * 10 * time.Millisecond
}
