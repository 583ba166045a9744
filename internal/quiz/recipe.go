package quiz

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
)

// Recipe is the draw algorithm as published with every draw, so anyone can recompute it.
const Recipe = `1. When the round is created the server picks a 32-byte random seed and publishes commitment = hex(sha256(seed)).
2. When the round is closed (after it ends) the eligible list is fixed: the ids of the plays that qualify (each player's best ranked play with score >= the prize threshold; plays flagged for review and not cleared are excluded), sorted ascending. The server publishes eligible_digest = hex(sha256(ids as decimal numbers joined by ",")) and the list itself.
3. At the draw, key = sha256(seed || beacon) when the round named a beacon (beacon = the UTF-8 bytes of the published value entered at the draw), else key = seed (the 32 raw bytes).
4. Each eligible id gets ticket = hex(hmac_sha256(key, decimal id)).
5. Winners are the ids with the smallest tickets (ascending hex order), one prize unit each, in prize order: the first prize's units go to the smallest tickets, then the next prize's, and so on.
6. The seed is revealed as hex(seed): check sha256(seed) against the commitment, the digest against the list, then recompute the tickets.`

// Commitment is hex(sha256(seed)).
func Commitment(seed []byte) string {
	sum := sha256.Sum256(seed)
	return hex.EncodeToString(sum[:])
}

// EligibleDigest is hex(sha256(ids joined by ",")) of ids sorted ascending.
func EligibleDigest(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, ",")))
	return hex.EncodeToString(sum[:])
}

// DrawKey is sha256(seed ‖ beacon) with a beacon, else the seed itself.
func DrawKey(seed []byte, beacon string) []byte {
	if beacon == "" {
		return seed
	}
	sum := sha256.Sum256(append(append([]byte{}, seed...), beacon...))
	return sum[:]
}

// Ticket is hex(hmac_sha256(key, decimal id)).
func Ticket(key []byte, id int64) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strconv.FormatInt(id, 10)))
	return hex.EncodeToString(m.Sum(nil))
}

// Drawn is one eligible id and its ticket.
type Drawn struct {
	PlayID int64
	Ticket string
}

// DrawOrder returns the eligible ids ordered by ticket, smallest first (the winners first).
func DrawOrder(key []byte, ids []int64) []Drawn {
	out := make([]Drawn, len(ids))
	for i, id := range ids {
		out[i] = Drawn{PlayID: id, Ticket: Ticket(key, id)}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Ticket != out[j].Ticket {
			return out[i].Ticket < out[j].Ticket
		}
		return out[i].PlayID < out[j].PlayID
	})
	return out
}
