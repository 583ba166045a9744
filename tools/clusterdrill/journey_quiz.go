package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// player is a WeChat participant of the run's quiz round.
type player struct {
	*client
	name     string // the fake WeChat's code "dev-<name>" logs this user in
	play     int64
	score    int
	duration int64
}

type wechatTokens struct {
	AccessToken string `json:"access_token"`
	NewUser     bool   `json:"new_user"`
}

// wechatLogin logs in by WeChat with the fake's reusable code of name.
func wechatLogin(c *client, name string) (wechatTokens, int) {
	var t wechatTokens
	code := c.call(http.MethodPost, "/api/v1/auth/wechat", map[string]string{"code": "dev-" + name}, &t)
	return t, code
}

// quizRound is what a drill's quiz activity and its one round are made with: a public
// activity (credited in campaign when not 0), a round open from a minute ago until endsAt
// drawing quizQuestions questions of bankID, 10 points each, no play flagged as too fast.
type quizRound struct {
	campaign       int64
	bankID         int64
	endsAt         time.Time
	plays          int // plays_per_round
	secondsPerPlay int
	prizes         []any
}

// create has the admin make the activity and the round of run.
func (q quizRound) create(admin *client, run string) (activityID, roundID int64, err error) {
	var out idOnly
	activity := map[string]any{"name": "集群演练竞猜 " + run, "audience": "public"}
	if q.campaign > 0 {
		activity["campaign_id"] = q.campaign
	}
	if code := admin.call(http.MethodPost, "/api/v1/quiz/activities", activity, &out); code != http.StatusCreated {
		return 0, 0, fmt.Errorf("create the quiz activity: status %d %s", code, admin.lastFailure())
	}
	activityID = out.ID
	round := map[string]any{"name": "演练轮 " + run, "starts_at": time.Now().UTC().Add(-time.Minute), "ends_at": q.endsAt.UTC(),
		"question_count": quizQuestions, "bank_ids": []int64{q.bankID}, "seconds_per_play": q.secondsPerPlay, "plays_per_round": q.plays,
		"min_ms_per_answer": 0, "prize_threshold": 0}
	if len(q.prizes) > 0 {
		round["prizes"] = q.prizes
	}
	if code := admin.call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/activities/%d/rounds", activityID), round, &out); code != http.StatusCreated {
		return 0, 0, fmt.Errorf("create the quiz round: status %d %s", code, admin.lastFailure())
	}
	return activityID, out.ID, nil
}

// accountOf is the id of the account a token belongs to (0 when refused).
func accountOf(c *client, token string) int64 {
	var me idOnly
	as := &client{api: c.api, http: c.http, token: token, ip: c.ip}
	as.call(http.MethodGet, "/api/v1/me", nil, &me)
	return me.ID
}

// quizPlay logs the participants in by WeChat (the first twice at once on two replicas: a first
// login racing itself makes one account) and has each play the round once, answering a
// different number of questions right, and submit twice at once on two replicas with one
// Idempotency-Key (both answered with the one graded play).
func (j *journey) quizPlay() {
	j.players = make([]*player, journeyParticipants)
	errs := each(len(j.players), func(i int) error {
		p := &player{client: j.newClient(2000 + i), name: fmt.Sprintf("xfdrill-%s-p%d", j.run, i)}
		j.players[i] = p
		if i > 0 {
			t, code := wechatLogin(p.client, p.name)
			if code != http.StatusOK || !t.NewUser {
				return fmt.Errorf("participant %d logs in: status %d, new user %v %s", i, code, t.NewUser, p.lastFailure())
			}
			p.token = t.AccessToken
			return nil
		}
		var a, b wechatTokens
		var ca, cb int
		together(func() { a, ca = wechatLogin(j.on(p.client, 0), p.name) }, func() { b, cb = wechatLogin(j.on(p.client, 1), p.name) })
		if ca != http.StatusOK || cb != http.StatusOK {
			return fmt.Errorf("participant 0 logs in twice at once: %d and %d %s", ca, cb, p.lastFailure())
		}
		if ida, idb := accountOf(p.client, a.AccessToken), accountOf(p.client, b.AccessToken); ida == 0 || ida != idb || a.NewUser == b.NewUser {
			return fmt.Errorf("participant 0's two first logins: accounts %d and %d, new user %v and %v", ida, idb, a.NewUser, b.NewUser)
		}
		p.token = a.AccessToken
		return nil
	})
	bad, first := firstError(errs)
	j.verdict.check("WeChat login", bad == 0, "%d participants logged in by POST /auth/wechat (live mode, the fake WeChat API), one twice at once on two replicas (one account, one new user): %d failed%s",
		len(j.players), bad, errSuffix(first))

	var current struct {
		Items []idOnly `json:"items"`
	}
	listed := j.players[0].call(http.MethodGet, "/api/v1/quiz/rounds/current", nil, &current) == http.StatusOK &&
		slices.ContainsFunc(current.Items, func(r idOnly) bool { return r.ID == j.roundID })
	var doubled atomic.Int64
	errs = each(len(j.players), func(i int) error {
		p := j.players[i]
		if p.token == "" {
			return fmt.Errorf("participant %d is not logged in", i)
		}
		var play struct {
			ID        int64 `json:"id"`
			Questions []struct {
				QuestionID int64    `json:"question_id"`
				Options    []string `json:"options"`
			} `json:"questions"`
		}
		if code := p.call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/plays", j.roundID), nil, &play); code != http.StatusCreated {
			return fmt.Errorf("participant %d starts a play: status %d %s", i, code, p.lastFailure())
		}
		correct := i % (quizQuestions + 1)
		var answers []map[string]any
		for k, q := range play.Questions {
			answer := ""
			if k < correct {
				answer, _ = j.keys.answers(q.QuestionID, q.Options)
			}
			answers = append(answers, map[string]any{"question_id": q.QuestionID, "answer": answer})
		}
		type result struct {
			PlayID     int64 `json:"play_id"`
			Score      int   `json:"score"`
			DurationMs int64 `json:"duration_ms"`
			Flagged    bool  `json:"flagged"`
		}
		var a, b result
		var ca, cb int
		path := fmt.Sprintf("/api/v1/quiz/plays/%d/submit", play.ID)
		key := map[string]string{"Idempotency-Key": fmt.Sprintf("journey-%s-quiz-%d", j.run, play.ID)}
		body := map[string]any{"answers": answers}
		together(func() { ca = j.on(p.client, i).send(http.MethodPost, path, body, &a, key) },
			func() { cb = j.on(p.client, i+1).send(http.MethodPost, path, body, &b, key) })
		doubled.Add(1)
		switch {
		case ca != http.StatusOK || cb != http.StatusOK:
			return fmt.Errorf("participant %d submits twice at once: %d and %d %s", i, ca, cb, p.lastFailure())
		case a != b || a.PlayID != play.ID:
			return fmt.Errorf("participant %d's two submits answered %+v and %+v", i, a, b)
		case a.Score != correct*10 || a.Flagged:
			return fmt.Errorf("participant %d scored %d (flagged %v), want %d", i, a.Score, a.Flagged, correct*10)
		}
		p.play, p.score, p.duration = play.ID, a.Score, a.DurationMs
		return nil
	})
	bad, first = firstError(errs)
	j.verdict.check("quiz plays", bad == 0 && listed, "round %d listed as current: %v; %d plays, each submitted twice at once on two replicas with one key: %d failed%s",
		j.roundID, listed, doubled.Load(), bad, errSuffix(first))
}

type boardItem struct {
	Rank       int64  `json:"rank"`
	Name       string `json:"name"`
	Score      int    `json:"score"`
	DurationMs int64  `json:"duration_ms"`
}

type boardView struct {
	Items []boardItem `json:"items"`
	Me    *boardItem  `json:"me"`
}

// quizBoard reads the round's board on each replica directly, as the admin and as a player,
// until all agree and hold every play (at most settle): one board, whichever replica answers.
func (j *journey) quizBoard() {
	var want []string
	for _, p := range j.players {
		if p.play > 0 {
			want = append(want, fmt.Sprintf("%d/%d", p.score, p.duration))
		}
	}
	slices.Sort(want)
	began := time.Now()
	path := fmt.Sprintf("/api/v1/quiz/rounds/%d/leaderboard?limit=100", j.roundID)
	for {
		boards, mine := make([]boardView, len(j.replicas)), make([]boardView, len(j.replicas))
		codes := make([]int, 2*len(j.replicas))
		each(len(j.replicas), func(r int) error {
			codes[2*r] = j.on(j.admin, r).call(http.MethodGet, path, nil, &boards[r])
			codes[2*r+1] = j.on(j.players[1].client, r).call(http.MethodGet, path, nil, &mine[r])
			return nil
		})
		agree, held, ordered := true, false, true
		for r := range boards {
			agree = agree && codes[2*r] == http.StatusOK && codes[2*r+1] == http.StatusOK &&
				reflect.DeepEqual(boards[r].Items, boards[0].Items) && reflect.DeepEqual(mine[r], mine[0])
		}
		var got []string
		for k, it := range boards[0].Items {
			got = append(got, fmt.Sprintf("%d/%d", it.Score, it.DurationMs))
			if k > 0 {
				prev := boards[0].Items[k-1]
				ordered = ordered && it.Rank == int64(k+1) &&
					(prev.Score > it.Score || prev.Score == it.Score && prev.DurationMs <= it.DurationMs)
			}
		}
		slices.Sort(got)
		held = slices.Equal(got, want) && mine[0].Me != nil && mine[0].Me.Score == j.players[1].score
		if agree && held && ordered {
			j.verdict.check("quiz board", true, "the same board of %d plays on %d replicas (read directly, as the admin and as a player) %v after the last submit ended",
				len(want), len(j.replicas), time.Since(began).Round(time.Millisecond))
			return
		}
		if time.Since(began) > settle {
			j.verdict.check("quiz board", false, "after %v: replicas agree %v, statuses %v, board holds every play %v (%d of %d), ordered %v",
				settle, agree, codes, held, len(got), len(want), ordered)
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// drawView is a round's public draw record.
type drawView struct {
	Commitment      string  `json:"commitment"`
	Seed            string  `json:"seed"`
	Beacon          string  `json:"beacon"`
	Closed          bool    `json:"closed"`
	Drawn           bool    `json:"drawn"`
	EligibleCount   int     `json:"eligible_count"`
	EligibleDigest  string  `json:"eligible_digest"`
	EligiblePlayIDs []int64 `json:"eligible_play_ids"`
	Prizes          []struct {
		ID        int64  `json:"id"`
		Name      string `json:"name"`
		Stock     int    `json:"stock"`
		Remaining int    `json:"remaining"`
	} `json:"prizes"`
	Winners []struct {
		DrawRank int    `json:"draw_rank"`
		PlayID   int64  `json:"play_id"`
		Ticket   string `json:"ticket"`
		Prize    string `json:"prize"`
	} `json:"winners"`
}

// quizDraw waits for the round to end, closes it on every replica at once (one eligible list),
// draws on every replica at once (one draw: one 200, the others 409), checks the public record
// is the same everywhere and recomputes it by the published recipe, checks the stock is not
// oversold, and has each winner claim twice at once on two replicas with one key.
func (j *journey) quizDraw() {
	time.Sleep(time.Until(j.roundEnds.Add(time.Second)))
	var plays []int64
	owner := map[int64]*player{}
	for _, p := range j.players {
		if p.play > 0 {
			plays, owner[p.play] = append(plays, p.play), p
		}
	}
	slices.Sort(plays)
	n := len(j.replicas)
	closes, codes := make([]drawView, n), make([]int, n)
	each(n, func(r int) error {
		codes[r] = j.on(j.admin, r).call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/close", j.roundID), nil, &closes[r])
		return nil
	})
	ok := true
	for r := range closes {
		ok = ok && codes[r] == http.StatusOK && closes[r].Closed && closes[r].EligibleDigest == closes[0].EligibleDigest &&
			slices.Equal(closes[r].EligiblePlayIDs, plays)
	}
	j.verdict.check("quiz close", ok, "closed on %d replicas at once: statuses %v, one eligible list of %d plays (every play of the run) with digest %.12s…",
		n, codes, closes[0].EligibleCount, closes[0].EligibleDigest)

	draws := make([]int, n)
	each(n, func(r int) error {
		draws[r] = j.on(j.admin, r).call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/draw", j.roundID), map[string]string{}, nil)
		return nil
	})
	won, refused := 0, 0
	for _, c := range draws {
		switch c {
		case http.StatusOK:
			won++
		case http.StatusConflict:
			refused++
		}
	}
	records := make([]drawView, n)
	same := true
	for r := range records {
		anonymous := &client{api: j.on(j.admin, r).api, http: j.admin.http}
		same = same && anonymous.call(http.MethodGet, fmt.Sprintf("/api/v1/quiz/rounds/%d/draw", j.roundID), nil, &records[r]) == http.StatusOK &&
			reflect.DeepEqual(records[r], records[0])
	}
	d := records[0]
	stock, awarded := 0, map[string]int{}
	for _, w := range d.Winners {
		awarded[w.Prize]++
	}
	oversold := false
	for _, p := range d.Prizes {
		stock += p.Stock
		oversold = oversold || awarded[p.Name] > p.Stock
	}
	recomputed := recomputeDraw(d)
	j.verdict.check("quiz draw", won == 1 && refused == n-1 && same && recomputed == nil && !oversold && len(d.Winners) == min(stock, len(plays)),
		"drawn on %d replicas at once: statuses %v (one draw); the same public record on every replica %v; recomputed from the revealed seed: %v; %d winners for a stock of %d, oversold %v",
		n, draws, same, orOK(recomputed), len(d.Winners), stock, oversold)

	errs := each(len(d.Winners), func(k int) error {
		p := owner[d.Winners[k].PlayID]
		if p == nil {
			return fmt.Errorf("winner play %d is not the run's", d.Winners[k].PlayID)
		}
		var mine struct {
			Items []award `json:"items"`
		}
		if code := p.call(http.MethodGet, "/api/v1/me/prizes", nil, &mine); code != http.StatusOK {
			return fmt.Errorf("winner %s reads their prizes: status %d", p.name, code)
		}
		i := slices.IndexFunc(mine.Items, func(a award) bool { return a.RoundID == j.roundID && a.PlayID == p.play })
		if i < 0 {
			return fmt.Errorf("winner %s does not see the prize", p.name)
		}
		path := fmt.Sprintf("/api/v1/me/prizes/%d/claim", mine.Items[i].ID)
		key := map[string]string{"Idempotency-Key": fmt.Sprintf("journey-%s-claim-%d", j.run, mine.Items[i].ID)}
		body := map[string]string{"name": "演练中奖人", "phone": "13900000000", "address": "安徽省宣城市绩溪县演练路1号"}
		var a, b struct {
			Status string `json:"status"`
		}
		var ca, cb int
		together(func() { ca = j.on(p.client, k).send(http.MethodPost, path, body, &a, key) },
			func() { cb = j.on(p.client, k+1).send(http.MethodPost, path, body, &b, key) })
		if ca != http.StatusOK || cb != http.StatusOK || a.Status != "claimed" || b.Status != "claimed" {
			return fmt.Errorf("winner %s claims twice at once: %d %q and %d %q %s", p.name, ca, a.Status, cb, b.Status, p.lastFailure())
		}
		return nil
	})
	bad, first := firstError(errs)
	var prizes struct {
		Items []struct {
			Status string `json:"status"`
		} `json:"items"`
	}
	claimed := 0
	code := j.admin.call(http.MethodGet, fmt.Sprintf("/api/v1/quiz/rounds/%d/prizes", j.roundID), nil, &prizes)
	for _, p := range prizes.Items {
		if p.Status == "claimed" {
			claimed++
		}
	}
	// Claims take units from the stock: what is left is the stock less the winners of each
	// prize, once each although every claim was sent twice.
	var after drawView
	stocked := j.admin.call(http.MethodGet, fmt.Sprintf("/api/v1/quiz/rounds/%d/draw", j.roundID), nil, &after) == http.StatusOK
	var left []string
	for _, p := range after.Prizes {
		left = append(left, fmt.Sprintf("%s %d of %d", p.Name, p.Remaining, p.Stock))
		stocked = stocked && p.Remaining >= 0 && p.Remaining == p.Stock-awarded[p.Name]
	}
	j.verdict.check("quiz prizes", bad == 0 && code == http.StatusOK && len(prizes.Items) == len(d.Winners) && claimed == len(d.Winners) && stocked,
		"%d winners claimed twice at once on two replicas with one key: %d failed%s; the round lists %d awards, %d claimed; stock left %v (never below 0, one unit per winner)",
		len(d.Winners), bad, errSuffix(first), len(prizes.Items), claimed, left)
}

// award is a prize won, as GET /me/prizes lists it.
type award struct {
	ID      int64  `json:"id"`
	RoundID int64  `json:"round_id"`
	PlayID  int64  `json:"play_id"`
	Status  string `json:"status"`
}

func orOK(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// recomputeDraw checks a draw record by the recipe published with it (DESIGN.md, "Draw recipe"):
// the seed against the commitment, the digest against the list, the winners as the smallest
// tickets hex(hmac_sha256(key, decimal id)), key = seed without a beacon, sha256(seed ‖ beacon)
// with one.
func recomputeDraw(d drawView) error {
	seed, err := hex.DecodeString(d.Seed)
	if err != nil || len(seed) == 0 {
		return fmt.Errorf("seed not revealed (%q)", d.Seed)
	}
	if sum := sha256.Sum256(seed); hex.EncodeToString(sum[:]) != d.Commitment {
		return fmt.Errorf("sha256(seed) is not the commitment")
	}
	ids := slices.Sorted(slices.Values(d.EligiblePlayIDs))
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	if sum := sha256.Sum256([]byte(strings.Join(parts, ","))); hex.EncodeToString(sum[:]) != d.EligibleDigest {
		return fmt.Errorf("the eligible list does not match its digest")
	}
	key := seed
	if d.Beacon != "" {
		sum := sha256.Sum256(append(append([]byte{}, seed...), d.Beacon...))
		key = sum[:]
	}
	type drawn struct {
		id     int64
		ticket string
	}
	order := make([]drawn, len(ids))
	for i, id := range ids {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(strconv.FormatInt(id, 10)))
		order[i] = drawn{id, hex.EncodeToString(m.Sum(nil))}
	}
	sort.Slice(order, func(a, b int) bool {
		if order[a].ticket != order[b].ticket {
			return order[a].ticket < order[b].ticket
		}
		return order[a].id < order[b].id
	})
	for k, w := range d.Winners {
		if k >= len(order) || w.PlayID != order[k].id || w.Ticket != order[k].ticket || w.DrawRank != k+1 {
			return fmt.Errorf("winner %d (play %d) is not the %d-th smallest ticket", w.DrawRank, w.PlayID, k+1)
		}
	}
	return nil
}
