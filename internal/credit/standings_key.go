package credit

import (
	"fmt"
	"hash/fnv"

	"github.com/xuefa/xuefa/internal/unit"
)

// The leaderboard's unit ranking is kept for a short time (credit.unit_ranking_ttl, see
// platform/ttlcache). Ranking the units of a wide scope aggregates every learner and summary
// under it (about 65 ms for a county of 100,000 learners on MariaDB, see docs/performance.md),
// which the leaderboard's latency target cannot afford per request; the top learners stay
// live. The key carries the campaign, the unit, the campaign's targets and a fingerprint of
// the scope's units, so a target change or a change of the unit tree is seen at once; awards,
// learner moves and departures show after at most the TTL.

// standingsKey identifies a unit ranking: campaign, unit, targets and the scope's units (ids,
// parents, names and paths), so renaming, moving or adding a unit changes the key.
func standingsKey(campaignID int64, u *unit.Unit, scope *Scope, targets map[string]Amount) string {
	h := fnv.New64a()
	for _, su := range scope.Units {
		parent := int64(0)
		if su.ParentID != nil {
			parent = *su.ParentID
		}
		fmt.Fprintf(h, "%d/%d/%s/%s;", su.ID, parent, su.Name, su.Path)
	}
	return fmt.Sprintf("%d:%d:%s:%d:%d:%d:%x", campaignID, u.ID, u.Name, targets["leader"], targets["general"], targets["judicial"], h.Sum64())
}
