package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// profiled runs fn under the CPU profiler when path is set, so the profile shows the
// saturation run alone rather than the setup around it.
func profiled(path string, fn func() outcome) outcome {
	if path == "" {
		return fn()
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "xuefa-bench: cpuprofile:", err)
		return fn()
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "xuefa-bench: cpuprofile:", err)
		return fn()
	}
	defer pprof.StopCPUProfile()
	return fn()
}

// profilePath is where a scenario's profile goes ("" when none is asked for).
func profilePath(base, scenario string) string {
	if base == "" {
		return ""
	}
	return base + "." + scenario
}
