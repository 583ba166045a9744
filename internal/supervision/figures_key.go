package supervision

import (
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/unit"
)

// A dashboard's figures are kept for a short time (supervision.dashboard_ttl, see
// platform/ttlcache). A county's figures aggregate every learner and summary under it (about
// 100 ms of database time for 100,000 learners on MariaDB, far more on a busy machine, see
// docs/performance.md "Supervision"), which a p99 of 200 ms cannot afford per request. The key
// carries the campaign's targets, dates and pace rules, the unit and its subtree, so editing the
// campaign or the unit tree shows at once; awards, learner moves and departures, and the pace
// the calendar expects, show after at most the TTL. The daily series stays live.

// cloneFigures copies figures deeply enough that callers cannot change the cached ones.
func cloneFigures(in []Figures) []Figures {
	out := slices.Clone(in)
	for i := range out {
		byTrack := make(map[string]int64, len(out[i].ByTrack))
		for k, v := range out[i].ByTrack {
			byTrack[k] = v
		}
		out[i].ByTrack = byTrack
	}
	return out
}

// figuresKey identifies a dashboard's figures: the campaign's targets, dates and rules, the unit,
// and the subtree's units with their children.
func figuresKey(c *credit.CampaignFacts, u *unit.Unit, children []unit.Unit, subtree []scopeUnit) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d|%s|%s|%v|%v|%d|%s|", c.ID, c.StartDate, c.EndDate, c.Targets, c.Rules.PaceCurve, c.Rules.LagPercent, u.Name)
	for _, ch := range children {
		fmt.Fprintf(h, "c%d/%s/%s;", ch.ID, ch.Name, ch.Path)
	}
	for _, su := range subtree {
		fmt.Fprintf(h, "s%d/%s;", su.ID, su.Path)
	}
	return fmt.Sprintf("%d:%d:%x", c.ID, u.ID, h.Sum64())
}
