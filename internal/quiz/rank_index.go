package quiz

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// The rank a submit answers with is counted in memory. Counting it in SQL (players in better
// buckets, plus the better rows of the player's own bucket, a range of the rank index) cost
// MariaDB about as much as the rest of the submit together on a 1,000,000-player board. So each
// process keeps the round boards it ranks on as a rankIndex: every stored standing, in rank
// order, grouped in rank-key buckets. It starts empty and not ready, is loaded in the background
// on a board's first play start (or rank) in this process, and ranks come from SQL until it is
// ready.
//
// It follows the stored board exactly as this process changes it: the board writer applies its
// folds right after they commit (before it forgets them as pending, so a player is counted in
// one or the other). Folds applied while a load runs are replayed onto the loaded rows; a fold
// may then be in the rows already, so applying a write is idempotent (drop the old standing if
// present, add the new one if absent). Other replicas' folds are found by a drift check at most
// every indexDriftCheck: the stored bucket counts and checksums are compared with the index, and
// the buckets that differ are reloaded.
const (
	indexDriftCheck = 5 * time.Second
	indexIdle       = 15 * time.Minute // a board nobody ranked on for this long is dropped
	indexLoadChunk  = 200              // buckets reloaded per statement
)

type rankIndex struct {
	mu     sync.Mutex
	boards map[string]*boardIndex
	// Folds between their start and their applied writes, and a counter bumped at both ends:
	// a drift check compares stored counts with the index only when no fold overlapped its read.
	inflight int
	gen      uint64
}

// boardIndex is one board in memory.
type boardIndex struct {
	ready    bool
	buckets  []indexBucket // by id
	loads    []*indexLoad  // loads in progress
	used     time.Time
	checked  time.Time // last drift check started
	checking bool
}

type indexBucket struct {
	id      int64
	entries []rankEntry // in rank order
	chk     int64       // the sum of the entries' checksums, as stored with the bucket count
}

// rankEntry is a stored standing, reduced to what orders it.
type rankEntry struct{ key, submittedMs, account int64 }

func entryOf(s Standing) rankEntry {
	return rankEntry{RankKey(s.Score, s.DurationMs), s.SubmittedMs, s.AccountID}
}

func compareEntries(a, b rankEntry) int {
	return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.submittedMs, b.submittedMs), cmp.Compare(a.account, b.account))
}

// indexLoad collects the folds applied while a load reads, to replay onto what it read.
type indexLoad struct{ writes []boardWrite }

// ahead counts the standings that rank before me.
func (b *boardIndex) ahead(me rankEntry) int64 {
	id := me.key >> bucketShift
	var n int64
	for _, bk := range b.buckets {
		if bk.id > id {
			break
		}
		if bk.id < id {
			n += int64(len(bk.entries))
			continue
		}
		i, _ := slices.BinarySearchFunc(bk.entries, me, compareEntries)
		n += int64(i)
	}
	return n
}

func (b *boardIndex) bucket(id int64) (int, bool) {
	return slices.BinarySearchFunc(b.buckets, id, func(bk indexBucket, id int64) int { return cmp.Compare(bk.id, id) })
}

// apply moves a player's standing as a committed fold did; applying it again changes nothing.
func (b *boardIndex) apply(w boardWrite) {
	if w.old != nil {
		b.remove(entryOf(*w.old))
	}
	b.add(entryOf(w.next))
}

func (b *boardIndex) remove(e rankEntry) {
	i, ok := b.bucket(e.key >> bucketShift)
	if !ok {
		return
	}
	bk := &b.buckets[i]
	if j, found := slices.BinarySearchFunc(bk.entries, e, compareEntries); found {
		bk.entries = slices.Delete(bk.entries, j, j+1)
		bk.chk -= standingChecksum(e)
	}
	if len(bk.entries) == 0 {
		b.buckets = slices.Delete(b.buckets, i, i+1)
	}
}

func (b *boardIndex) add(e rankEntry) {
	id := e.key >> bucketShift
	i, ok := b.bucket(id)
	if !ok {
		b.buckets = slices.Insert(b.buckets, i, indexBucket{id: id})
	}
	bk := &b.buckets[i]
	if j, found := slices.BinarySearchFunc(bk.entries, e, compareEntries); !found {
		bk.entries = slices.Insert(bk.entries, j, e)
		bk.chk += standingChecksum(e)
	}
}

// replace sets the given buckets (all of them when ids is nil) to rows, which are in rank order.
func (b *boardIndex) replace(ids []int64, rows []rankEntry) {
	if ids == nil {
		b.buckets = nil
	}
	for _, id := range ids {
		if i, ok := b.bucket(id); ok {
			b.buckets = slices.Delete(b.buckets, i, i+1)
		}
	}
	for start := 0; start < len(rows); {
		id := rows[start].key >> bucketShift
		end := start + 1
		for end < len(rows) && rows[end].key>>bucketShift == id {
			end++
		}
		i, ok := b.bucket(id)
		if !ok {
			b.buckets = slices.Insert(b.buckets, i, indexBucket{id: id})
		}
		bk := &b.buckets[i]
		if bk.entries == nil { // a bucket just emptied: share rows (capped, so an insert copies)
			bk.entries = rows[start:end:end]
		} else {
			bk.entries = append(bk.entries, rows[start:end]...)
		}
		for _, e := range rows[start:end] {
			bk.chk += standingChecksum(e)
		}
		start = end
	}
}

// differing lists the buckets whose size or checksum differs from the stored ones.
func (b *boardIndex) differing(stored []BucketCount) []int64 {
	have := make(map[int64]BucketCount, len(b.buckets))
	for _, bk := range b.buckets {
		have[bk.id] = BucketCount{Bucket: bk.id, N: int64(len(bk.entries)), Chk: bk.chk}
	}
	var out []int64
	for _, c := range stored {
		if have[c.Bucket] != c {
			out = append(out, c.Bucket)
		}
		delete(have, c.Bucket)
	}
	for id := range have {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// foldStarts and foldEnds bracket a board fold; foldEnds applies its committed writes (nil when
// it failed).
func (x *rankIndex) foldStarts() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.inflight++
	x.gen++
}

func (x *rankIndex) foldEnds(writes []boardWrite) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.inflight--
	x.gen++
	for _, w := range writes {
		b := x.boards[w.board]
		if b == nil {
			continue
		}
		if b.ready {
			b.apply(w)
		}
		for _, l := range b.loads {
			l.writes = append(l.writes, w)
		}
	}
}
