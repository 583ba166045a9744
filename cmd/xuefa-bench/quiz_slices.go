package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// submitsAndBaseline measures the quiz submits of every started play and the baseline INSERT
// with the same clients. With o.Slice > 0 they alternate, a slice of submits then a slice of
// the baseline as long, until every play is submitted, and each side's figures pool its
// slices: this VM's speed drifts by tens of percent within minutes (docs/performance.md), and a
// baseline measured before the submits, as with o.Slice = 0, carries that drift into the ratio.
// The CPU profile, if asked for, covers the submits and, when alternating, the baseline slices.
func (b *quizBench) submitsAndBaseline(ctx context.Context, o quizOptions, out io.Writer) (base, sub outcome) {
	baseline := func(d time.Duration) outcome {
		return b.closedLoop("baseline-insert", o.Workers, d, -1, func(int) (int, error) {
			return b.do(ctx, http.MethodPost, b.env.base+"/baseline/insert", "", nil, nil, nil)
		})
	}
	submits := func(from int, d time.Duration) outcome {
		return b.closedLoop("quiz-submit", o.Workers, d, len(b.players)-from, func(i int) (int, error) { return b.submit(ctx, from+i) })
	}
	if o.Slice <= 0 {
		base = baseline(o.Duration)
		return base, profiled(o.CPUProfile, func() outcome { return submits(0, o.Duration) })
	}
	var bases, subs []outcome
	profiled(o.CPUProfile, func() outcome {
		for done := 0; done < len(b.players); {
			s := submits(done, o.Slice)
			done += s.Requests
			subs, bases = append(subs, s), append(bases, baseline(s.Duration))
		}
		return outcome{}
	})
	ratios := make([]string, len(subs))
	for i := range subs {
		ratios[i] = fmt.Sprintf("%.2f", subs[i].Throughput/bases[i].Throughput)
	}
	fmt.Fprintf(out, "  %d alternating slices of ≤ %s; submit over baseline per slice: %s×\n", len(subs), o.Slice, strings.Join(ratios, ", "))
	base, sub = pooled(bases), pooled(subs)
	fmt.Fprintf(out, "  cores busy (this process + the database): baseline %.2f, submits %.2f\n", base.CPU.total().Seconds()/base.Duration.Seconds(), sub.CPU.total().Seconds()/sub.Duration.Seconds())
	return base, sub
}

// pooled is one outcome of closed-loop runs of one scenario, as if they were one run as long
// as they were together.
func pooled(runs []outcome) outcome {
	o := outcome{Name: runs[0].Name, Rate: runs[0].Rate, Codes: map[string]int{}}
	var lat []time.Duration
	ok := 0
	for _, r := range runs {
		o.Duration += r.Duration
		o.Errors += r.Errors
		o.CPU.app, o.CPU.db = o.CPU.app+r.CPU.app, o.CPU.db+r.CPU.db
		ok += r.ok
		lat = append(lat, r.lat...)
		for k, n := range r.Codes {
			o.Codes[k] += n
		}
	}
	return o.measured(slices.Clip(lat), ok)
}
