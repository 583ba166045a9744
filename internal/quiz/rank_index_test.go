package quiz

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// truth is a board as a plain map, ranked by brute force.
type truth map[int64]Standing

func (tr truth) ahead(me Standing) int64 {
	var n int64
	for _, s := range tr {
		if ahead(s, me) {
			n++
		}
	}
	return n
}

func (tr truth) rows() []rankEntry {
	var out []rankEntry
	for _, s := range tr {
		out = append(out, entryOf(s))
	}
	slices.SortFunc(out, compareEntries)
	return out
}

// randomWrites moves players between standings with heavy ties (few scores, durations within a
// few buckets, shared submit times), as a board writer's folds would.
func randomWrites(r *rand.Rand, tr truth, n int) []boardWrite {
	var out []boardWrite
	for range n {
		acct := r.Int64N(60) + 1
		next := Standing{AccountID: acct, PlayID: r.Int64N(1000), Score: 10 * r.IntN(4),
			DurationMs: 3000 + r.Int64N(4000), SubmittedMs: 1_000_000 + r.Int64N(5)}
		w := boardWrite{board: "round:1", next: next}
		if old, ok := tr[acct]; ok {
			w.old = &old
		}
		tr[acct] = next
		out = append(out, w)
	}
	return out
}

func checkRanks(t *testing.T, r *rand.Rand, b *boardIndex, tr truth) {
	t.Helper()
	for range 50 {
		me := Standing{AccountID: r.Int64N(70) + 1, Score: 10 * r.IntN(4), DurationMs: 3000 + r.Int64N(4000), SubmittedMs: 1_000_000 + r.Int64N(5)}
		require.Equal(t, tr.ahead(me), b.ahead(entryOf(me)), "players ahead of %+v", me)
	}
}

// Applied writes keep the index equal to the board.
func TestRankIndexFollowsWrites(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	tr := truth{}
	b := &boardIndex{ready: true}
	for range 40 {
		ws := randomWrites(r, tr, 1+r.IntN(10))
		for _, w := range ws {
			b.apply(w)
		}
		checkRanks(t, r, b, tr)
	}
	assert.Empty(t, b.differing(counts(tr)), "bucket sizes match the stored counts")
}

// A load reads the board while folds go on: replaying the folds applied meanwhile onto what it
// read gives the board, whether or not the read saw them (it sees a prefix of them: one
// process's folds are serial).
func TestRankIndexLoadReplaysFoldsAppliedWhileReading(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	tr := truth{}
	randomWrites(r, tr, 80)
	during := randomWrites(r, tr, 30) // applied while the load read
	seen := len(during) / 2           // the read saw the first half of them
	read := truth{}
	for k, v := range tr {
		read[k] = v
	}
	for i := len(during) - 1; i >= seen; i-- { // undo what the read did not see
		w := during[i]
		if w.old == nil {
			delete(read, w.next.AccountID)
		} else {
			read[w.next.AccountID] = *w.old
		}
	}
	b := &boardIndex{}
	b.replace(nil, read.rows())
	for _, w := range during {
		b.apply(w)
	}
	checkRanks(t, r, b, tr)
}

// A drift check reloads exactly the buckets whose stored count differs (another replica's
// folds), and the index then matches the board.
func TestRankIndexReloadsDriftedBuckets(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 1))
	tr := truth{}
	randomWrites(r, tr, 80)
	b := &boardIndex{ready: true}
	b.replace(nil, tr.rows())
	randomWrites(r, tr, 5) // folded elsewhere
	ids := b.differing(counts(tr))
	require.NotEmpty(t, ids)
	var rows []rankEntry
	for _, e := range tr.rows() {
		if slices.Contains(ids, e.key>>bucketShift) {
			rows = append(rows, e)
		}
	}
	b.replace(ids, rows)
	checkRanks(t, r, b, tr)
	assert.Empty(t, b.differing(counts(tr)))
}

func counts(tr truth) []BucketCount {
	n := map[int64]BucketCount{}
	for _, s := range tr {
		e := entryOf(s)
		c := n[e.key>>bucketShift]
		n[e.key>>bucketShift] = BucketCount{Bucket: e.key >> bucketShift, N: c.N + 1, Chk: c.Chk + standingChecksum(e)}
	}
	var out []BucketCount
	for _, c := range n {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b BucketCount) int { return int(a.Bucket - b.Bucket) })
	return out
}
