package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/learner"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/crypto"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/study"
	"github.com/xuefa/xuefa/internal/unit"
)

// seedSpec sizes the dataset.
type seedSpec struct {
	Learners   int    // bench learners (on top of the demo county's)
	Ledger     int    // credit_ledger rows, exactly
	ExtraUnits int    // units added under the demo county (at most len(unitPlan()))
	Batch      int    // rows per INSERT
	Writers    int    // concurrent connections inserting
	Seed       uint64 // makes the dataset reproducible
	// UniqueChecks false sets unique_checks=0 on the bulk sessions (MySQL).
	UniqueChecks bool
	// Hasher hashes the one password every bench learner shares (app.DemoPassword).
	Hasher *auth.Hasher
	Sealer *crypto.Sealer
}

// seedResult is what was written and how long it took.
type seedResult struct {
	Counts map[string]int64
	Phases []phase
}

type phase struct {
	Name string
	Took time.Duration
}

// seedDataset fills an empty, migrated database: the demo county through app.Seed, then bench
// courses through the service, then units, accounts, learners, ledger rows, daily counters,
// summaries and course progress with multi-row INSERTs on bulk (the same database).
func seedDataset(ctx context.Context, a *app.App, bulk *sql.DB, spec seedSpec, out io.Writer) (*seedResult, error) {
	res := &seedResult{Counts: map[string]int64{}}
	mark := time.Now()
	step := func(name string) {
		res.Phases = append(res.Phases, phase{name, time.Since(mark)})
		fmt.Fprintf(out, "  %-34s %8.1f s\n", name, time.Since(mark).Seconds())
		mark = time.Now()
	}
	root, err := a.Units.Root(ctx)
	if err != nil {
		return nil, err
	}
	if root != nil {
		return nil, errors.New("the database already has units: seed needs an empty schema")
	}
	if err := a.Seed(ctx, io.Discard); err != nil {
		return nil, err
	}
	if root, err = a.Units.Root(ctx); err != nil {
		return nil, err
	}
	w, err := benchWorld(ctx, a, root)
	if err != nil {
		return nil, err
	}
	step("demo county, campaign, courses")

	units, added, err := seedUnits(ctx, a, bulk, root, spec)
	if err != nil {
		return nil, err
	}
	res.Counts["units (added)"] = int64(added)
	step(fmt.Sprintf("units (+%d)", added))

	learners, err := seedLearners(ctx, a, bulk, units, spec)
	if err != nil {
		return nil, err
	}
	res.Counts["accounts (added)"] = int64(len(learners))
	res.Counts["learners (added)"] = int64(len(learners))
	step(fmt.Sprintf("accounts + learners (%d)", len(learners)))

	if err := seedActivity(ctx, bulk, w, learners, spec, res.Counts, out); err != nil {
		return nil, err
	}
	step(fmt.Sprintf("ledger, daily, summaries (%d rows)", res.Counts["credit_ledger"]))

	if res.Counts["credit_unit_daily"], err = seedUnitDaily(ctx, bulk); err != nil {
		return nil, err
	}
	step(fmt.Sprintf("unit daily series (%d rows)", res.Counts["credit_unit_daily"]))

	if database.Dialect(a.DB) == database.MySQL {
		if _, err := bulk.ExecContext(ctx, "ANALYZE TABLE units, accounts, learners, credit_ledger, credit_daily, credit_summaries, course_progress, credit_unit_daily"); err != nil {
			return nil, err
		}
		step("ANALYZE TABLE")
	}
	return res, nil
}

// benchCourses are added to the demo campaign so a learner has a few hours of material.
var benchCourses = []struct {
	title   string
	minutes int
	tracks  []string
}{
	{"习近平法治思想概论", 30, []string{"leader", "general", "judicial"}},
	{"《中华人民共和国民法典》总则编", 25, []string{"leader", "general", "judicial"}},
	{"行政复议法修订解读", 20, []string{"leader", "judicial"}},
	{"《中华人民共和国保守国家秘密法》", 15, []string{"leader", "general", "judicial"}},
	{"优化营商环境条例", 20, []string{"leader", "general"}},
	{"信访工作条例", 15, []string{"leader", "general"}},
	{"《中华人民共和国刑事诉讼法》要点", 30, []string{"judicial"}},
	{"行政执法三项制度", 20, []string{"general", "judicial"}},
	{"以案释法：电信网络诈骗", 10, []string{"leader", "general", "judicial"}},
	{"《中华人民共和国未成年人保护法》", 15, []string{"general", "judicial"}},
	{"安全生产法与应急管理", 20, []string{"leader", "general"}},
	{"个人信息保护法实务", 20, []string{"leader", "general", "judicial"}},
	{"乡村振兴促进法", 15, []string{"leader", "general"}},
	{"人民调解法与基层矛盾化解", 20, []string{"general", "judicial"}},
	{"党内法规：廉洁自律准则", 15, []string{"leader", "general", "judicial"}},
	{"法治政府建设实施纲要", 25, []string{"leader"}},
}

// benchWorld adds the bench courses to the seeded campaign and describes the campaign.
func benchWorld(ctx context.Context, a *app.App, root *unit.Unit) (*world, error) {
	var campaignID, adminID int64
	if err := a.DB.WithContext(ctx).Raw("SELECT id FROM campaigns ORDER BY id LIMIT 1").Scan(&campaignID).Error; err != nil || campaignID == 0 {
		return nil, fmt.Errorf("no seeded campaign (%v)", err)
	}
	if err := a.DB.WithContext(ctx).Raw("SELECT id FROM accounts WHERE role = 'admin' AND unit_id = ? ORDER BY id LIMIT 1", root.ID).Scan(&adminID).Error; err != nil || adminID == 0 {
		return nil, fmt.Errorf("no root admin (%v)", err)
	}
	system := auth.Actor{Name: "system", Role: auth.RoleAdmin, UnitID: root.ID, UnitPath: root.Path}
	for i, c := range benchCourses {
		body := "本课程为性能测试数据集生成的学习材料：" + c.title + "。"
		if _, err := a.Study.CreateCourse(ctx, system, study.CourseInput{CampaignID: campaignID, Title: c.title, Kind: study.KindArticle,
			Body: &body, DurationSeconds: c.minutes * 60, Tracks: c.tracks, Credit: credit.Credits(1, 0), SortOrder: 10 + i,
			Status: study.CoursePublished}); err != nil {
			return nil, fmt.Errorf("bench course %s: %w", c.title, err)
		}
	}
	facts, err := a.Campaigns.Facts(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	start, err := campaignStart(facts.StartDate)
	if err != nil {
		return nil, err
	}
	end, err := campaignStart(facts.EndDate)
	if err != nil {
		return nil, err
	}
	// Activity runs up to yesterday (today's rows would lie in the future); at least the first day.
	today, _ := campaignStart(credit.Day(time.Now()))
	last := today.AddDate(0, 0, -1)
	if end.Before(last) {
		last = end
	}
	days := max(int(last.Sub(start).Hours()/24)+1, 1)

	var rows []study.Course
	if err := a.DB.WithContext(ctx).Where("campaign_id = ? AND status = ?", campaignID, study.CoursePublished).
		Order("sort_order, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	w := &world{CampaignID: campaignID, Rules: facts.Rules, Start: start, Days: days, AdminID: adminID, Events: 12, Exams: 3}
	for _, c := range rows {
		if c.DurationSeconds%60 != 0 {
			return nil, fmt.Errorf("course %d lasts %d s, not whole minutes", c.ID, c.DurationSeconds)
		}
		w.Courses = append(w.Courses, benchCourse{ID: c.ID, Title: c.Title, Minutes: c.DurationSeconds / 60, Credit: c.Credit, Tracks: c.TrackList()})
	}
	return w, nil
}

// plannedUnit is a unit the bench adds; parent is an index into the plan or, negative, a
// seeded unit's code (-1-i for seededCodes[i]).
type plannedUnit struct {
	name   string
	kind   unit.Kind
	parent int
	weight int // how many learners it gets, relatively
}

var seededCodes = []string{"huayang", "linxi", "shangzhuang", "sfj", "jyj", "gaj"}

var (
	benchTownships   = []string{"长安镇", "扬溪镇", "伏岭镇", "金沙镇", "瀛洲镇", "家朋乡", "荆州乡", "板桥头乡", "绩溪镇", "浩寨镇", "北村镇", "丰乐镇"}
	benchDepartments = []string{"县人民法院", "县人民检察院", "县财政局", "县人社局", "县自然资源局", "县生态环境分局", "县住建局", "县交通运输局",
		"县水利局", "县农业农村局", "县商务局", "县文旅局", "县卫健委", "县应急局", "县审计局", "县市场监管局", "县统计局", "县医保局",
		"县林业局", "县城管局", "县民政局", "县退役军人事务局", "县信访局", "县税务局"}
	townshipOffices   = []string{"党政办公室", "司法所", "综治中心", "财政所", "社会事务办", "农业综合服务中心"}
	departmentOffices = []string{"办公室", "政策法规股", "执法大队"}
)

// unitPlan lists up to ~200 units: offices under the seeded townships and departments, then
// new townships and departments, each followed by its offices (parents before children).
func unitPlan() []plannedUnit {
	var plan []plannedUnit
	for i := range seededCodes {
		offices := townshipOffices
		if i >= 3 {
			offices = departmentOffices
		}
		for _, o := range offices {
			plan = append(plan, plannedUnit{name: o, kind: unit.KindOther, parent: -1 - i})
		}
	}
	add := func(names []string, kind unit.Kind, offices []string) {
		for _, n := range names {
			parent := len(plan)
			plan = append(plan, plannedUnit{name: n, kind: kind, parent: -1 - len(seededCodes)})
			for _, o := range offices {
				plan = append(plan, plannedUnit{name: o, kind: unit.KindOther, parent: parent})
			}
		}
	}
	add(benchTownships, unit.KindTownship, townshipOffices)
	add(benchDepartments, unit.KindDepartment, departmentOffices)
	return plan
}

// seedUnits adds the planned units with ids chosen here (so paths are known before insert) and
// returns every unit that gets learners, with its weight, and how many units it added.
func seedUnits(ctx context.Context, a *app.App, bulk *sql.DB, root *unit.Unit, spec seedSpec) ([]weightedUnit, int, error) {
	var existing []unit.Unit
	if err := a.DB.WithContext(ctx).Order("id").Find(&existing).Error; err != nil {
		return nil, 0, err
	}
	byCode := map[string]unit.Unit{}
	nextID := int64(0)
	for _, u := range existing {
		byCode[u.Code] = u
		nextID = max(nextID, u.ID)
	}
	plan := unitPlan()
	plan = plan[:min(spec.ExtraUnits, len(plan))]
	rng := rand.New(rand.NewPCG(spec.Seed, 1))
	made := make([]unit.Unit, len(plan))
	now := time.Now().UTC().Truncate(time.Microsecond)
	var args []any
	for i, p := range plan {
		var parent unit.Unit
		switch {
		case p.parent == -1-len(seededCodes):
			parent = *root
		case p.parent < 0:
			parent = byCode[seededCodes[-1-p.parent]]
		default:
			parent = made[p.parent]
		}
		nextID++
		u := unit.Unit{ID: nextID, ParentID: &parent.ID, Code: fmt.Sprintf("bench%03d", i+1), Name: p.name, Kind: p.kind,
			Path: fmt.Sprintf("%s%d/", parent.Path, nextID), Depth: parent.Depth + 1, CreatedAt: now, UpdatedAt: now}
		made[i] = u
		args = append(args, u.ID, *u.ParentID, u.Code, u.Name, string(u.Kind), u.Path, u.Depth, u.CreatedAt, u.UpdatedAt)
	}
	t := newBulkTable("units", spec.Batch, "id", "parent_id", "code", "name", "kind", "path", "depth", "created_at", "updated_at")
	if err := t.insert(ctx, bulk, args); err != nil {
		return nil, 0, err
	}
	// Learners sit mostly in offices; townships and departments keep their leaders; a few county
	// leaders sit at the root.
	out := []weightedUnit{{Unit: *root, Weight: 1}}
	for _, u := range existing {
		if u.ID != root.ID {
			out = append(out, weightedUnit{Unit: u, Weight: 2})
		}
	}
	for _, u := range made {
		wt := 2
		if u.Kind == unit.KindOther {
			wt = 2 + rng.IntN(5)
		}
		out = append(out, weightedUnit{Unit: u, Weight: wt})
	}
	return out, len(made), nil
}

type weightedUnit struct {
	Unit   unit.Unit
	Weight int
}

// benchLearner is a generated learner with its account.
type benchLearner struct {
	ID, AccountID, UnitID int64
	Track                 string
}

var (
	surnames   = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾程汪胡方章储葛")
	givenNames = []string{"伟", "芳", "娜", "敏", "静", "磊", "强", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "桂英", "建华",
		"志强", "海燕", "晓东", "文静", "国庆", "红梅", "丽娟", "俊杰", "思远", "雨涵", "子轩", "浩然", "佳怡", "梓萱", "立新", "春生", "振华"}
	positions = []string{"科员", "科员", "科员", "副主任科员", "主任科员", "办事员", "股长", "副股长", "所长", "副局长", "综治专干", "执法队员", "调解员", "驻村干部"}
)

// seedLearners inserts spec.Learners accounts (role learner, phone login, all with the demo
// password's one hash) and their learners, spread over the units by weight.
func seedLearners(ctx context.Context, a *app.App, bulk *sql.DB, units []weightedUnit, spec seedSpec) ([]benchLearner, error) {
	hash, err := spec.Hasher.Hash(app.DemoPassword)
	if err != nil {
		return nil, err
	}
	var maxAccount, maxLearner int64
	if err := a.DB.WithContext(ctx).Raw("SELECT COALESCE(MAX(id), 0) FROM accounts").Scan(&maxAccount).Error; err != nil {
		return nil, err
	}
	if err := a.DB.WithContext(ctx).Raw("SELECT COALESCE(MAX(id), 0) FROM learners").Scan(&maxLearner).Error; err != nil {
		return nil, err
	}
	total := 0
	for _, u := range units {
		total += u.Weight
	}
	rng := rand.New(rand.NewPCG(spec.Seed, 2))
	now := time.Now().UTC().Truncate(time.Microsecond)
	born := time.Date(1965, 1, 1, 0, 0, 0, 0, time.UTC)
	learners := make([]benchLearner, spec.Learners)
	accountArgs := make([]any, 0, spec.Learners*13)
	learnerArgs := make([]any, 0, spec.Learners*11)
	for k := range learners {
		r := rng.IntN(total)
		var u unit.Unit
		for _, wu := range units {
			if r < wu.Weight {
				u = wu.Unit
				break
			}
			r -= wu.Weight
		}
		track := learner.TrackGeneral
		judicialUnit := false
		for _, word := range []string{"司法", "法院", "检察", "公安", "执法"} {
			judicialUnit = judicialUnit || strings.Contains(u.Name, word)
		}
		switch x := rng.IntN(100); {
		case x < 8:
			track = learner.TrackLeader
		case judicialUnit && x < 70, !judicialUnit && x < 20:
			track = learner.TrackJudicial
		}
		name := string(surnames[rng.IntN(len(surnames))]) + givenNames[rng.IntN(len(givenNames))]
		phone := benchPhone(k)
		idCard := learner.CompleteIDCard(fmt.Sprintf("341824%s%03d", born.AddDate(0, 0, k%12000).Format("20060102"), k/12000%1000))
		phoneEnc, err := spec.Sealer.Seal(phone)
		if err != nil {
			return nil, err
		}
		idEnc, err := spec.Sealer.Seal(idCard)
		if err != nil {
			return nil, err
		}
		l := benchLearner{ID: maxLearner + 1 + int64(k), AccountID: maxAccount + 1 + int64(k), UnitID: u.ID, Track: string(track)}
		learners[k] = l
		created := now.Add(-time.Duration(rng.IntN(30*24*3600)) * time.Second)
		accountArgs = append(accountArgs, l.AccountID, phoneEnc, spec.Sealer.Index("phone", phone), name, hash, string(auth.RoleLearner),
			l.UnitID, "active", false, 0, 1, created, created)
		learnerArgs = append(learnerArgs, l.ID, l.AccountID, l.UnitID, name, l.Track, positions[rng.IntN(len(positions))],
			idEnc, spec.Sealer.Index("id_card", idCard), string(learner.StatusActive), created, created)
	}
	accounts := newBulkTable("accounts", spec.Batch, "id", "phone_enc", "phone_index", "display_name", "password_hash", "role",
		"unit_id", "status", "must_change_password", "failed_logins", "token_version", "created_at", "updated_at")
	learnerTable := newBulkTable("learners", spec.Batch, "id", "account_id", "unit_id", "name", "track", "position",
		"id_card_enc", "id_card_index", "status", "created_at", "updated_at")
	// Accounts first (learners reference them), each table in parallel chunks.
	for _, job := range []struct {
		t    *bulkTable
		args []any
	}{{accounts, accountArgs}, {learnerTable, learnerArgs}} {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(spec.Writers)
		chunk := job.t.perStmt * len(job.t.cols)
		for i := 0; i < len(job.args); i += chunk {
			part := job.args[i:min(i+chunk, len(job.args))]
			g.Go(func() error { return job.t.insert(gctx, bulk, part) })
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
	}
	return learners, nil
}

// benchPhone is bench learner k's mobile number (the demo learners use 1380000xxxx).
func benchPhone(k int) string { return fmt.Sprintf("139%08d", k) }

// seedActivity generates and writes every learner's ledger rows, daily counters, summary and
// course progress, a chunk of learners per task, spec.Writers tasks at a time. Each learner's
// rows come from its own random stream, so the dataset does not depend on the scheduling.
func seedActivity(ctx context.Context, bulk *sql.DB, w *world, learners []benchLearner, spec seedSpec, counts map[string]int64, out io.Writer) error {
	ledger := newBulkTable("credit_ledger", spec.Batch, "learner_id", "campaign_id", "source", "source_id", "amount", "requested",
		"reason", "day", "actor_id", "created_at")
	daily := newBulkTable("credit_daily", spec.Batch, "learner_id", "campaign_id", "source", "day", "amount")
	summaries := newBulkTable("credit_summaries", spec.Batch, "learner_id", "campaign_id", "unit_id", "track", "total", "study",
		"practice", "exam", "event", "quiz", "adjustment", "last_activity_at", "updated_at")
	progress := newBulkTable("course_progress", spec.Batch, "learner_id", "course_id", "position_seconds", "verified_seconds",
		"completed_at", "updated_at")
	rows := rowsPerLearner(rand.New(rand.NewPCG(spec.Seed, 3)), len(learners), spec.Ledger)

	var nLedger, nDaily, nSummaries, nProgress atomic.Int64
	started := time.Now()
	reported := 0
	perChunk := max(spec.Batch/max(spec.Ledger/max(len(learners), 1), 1), 1) // about one ledger INSERT per chunk
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(spec.Writers)
	for from := 0; from < len(learners); from += perChunk {
		to := min(from+perChunk, len(learners))
		g.Go(func() error {
			var la, da, sa, pa []any
			for i := from; i < to; i++ {
				l := learners[i]
				act := genActivity(rand.New(rand.NewPCG(spec.Seed, uint64(l.ID)<<8|4)), w, l.ID, l.UnitID, l.Track, rows[i])
				for _, e := range act.Ledger {
					var actor any
					if e.ActorID != 0 {
						actor = e.ActorID
					}
					la = append(la, e.LearnerID, w.CampaignID, string(e.Source), e.SourceID, int64(e.Amount), int64(e.Requested),
						e.Reason, e.Day, actor, e.CreatedAt)
				}
				for _, d := range act.Daily {
					da = append(da, d.LearnerID, d.CampaignID, string(d.Source), d.Day, int64(d.Amount))
				}
				s := act.Summary
				var last any
				if s.LastActivityAt != nil {
					last = *s.LastActivityAt
				}
				sa = append(sa, s.LearnerID, s.CampaignID, s.UnitID, s.Track, int64(s.Total), int64(s.Study), int64(s.Practice),
					int64(s.Exam), int64(s.Event), int64(s.Quiz), int64(s.Adjustment), last, s.UpdatedAt)
				for _, p := range act.Progress {
					var done any
					if p.CompletedAt != nil {
						done = *p.CompletedAt
					}
					pa = append(pa, p.LearnerID, p.CourseID, p.PositionSeconds, p.VerifiedSeconds, done, p.UpdatedAt)
				}
			}
			for _, job := range []struct {
				t    *bulkTable
				args []any
				n    *atomic.Int64
			}{{ledger, la, &nLedger}, {daily, da, &nDaily}, {summaries, sa, &nSummaries}, {progress, pa, &nProgress}} {
				if err := job.t.insert(gctx, bulk, job.args); err != nil {
					return err
				}
				job.n.Add(int64(len(job.args) / len(job.t.cols)))
			}
			return nil
		})
		if pct := to * 10 / len(learners); pct > reported {
			reported = pct
			fmt.Fprintf(out, "    … %3d%% of learners queued, %9d ledger rows written, %5.0f s\n", pct*10, nLedger.Load(), time.Since(started).Seconds())
		}
	}
	if err := g.Wait(); err != nil {
		return err
	}
	counts["credit_ledger"] = nLedger.Load()
	counts["credit_daily"] = nDaily.Load()
	counts["credit_summaries"] = nSummaries.Load()
	counts["course_progress"] = nProgress.Load()
	return nil
}
