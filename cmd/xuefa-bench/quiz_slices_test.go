package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPooledIsOneRunAsLongAsTheSlices(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	a := outcome{Name: "quiz-submit", Rate: 64, Duration: time.Second, Codes: map[string]int{}}.measured([]time.Duration{ms(3), ms(1)}, 2)
	b := outcome{Name: "quiz-submit", Rate: 64, Duration: 3 * time.Second, Errors: 1, Codes: map[string]int{"409": 1}}.
		measured([]time.Duration{ms(2), ms(9), ms(4)}, 2)

	a.CPU, b.CPU = cpuUse{app: time.Second, db: 2 * time.Second}, cpuUse{app: 3 * time.Second}

	p := pooled([]outcome{a, b})

	assert.Equal(t, 4*time.Second, p.Duration)
	assert.Equal(t, 5, p.Requests)
	assert.InDelta(t, 1.0, p.Throughput, 1e-9) // 4 ok in 4 s, not the mean of 2/s and 0.67/s
	assert.Equal(t, 1, p.Errors)
	assert.Equal(t, map[string]int{"409": 1}, p.Codes)
	assert.Equal(t, ms(3), p.P50)
	assert.Equal(t, ms(9), p.Max)
	assert.Equal(t, cpuUse{app: 4 * time.Second, db: 2 * time.Second}, p.CPU)
}
