package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/platform/crypto"
	"github.com/xuefa/xuefa/internal/platform/etag"
	"github.com/xuefa/xuefa/internal/yearend"
)

// defaultCloseDSN is the close bench's own schema, so it never wipes the main bench dataset.
const defaultCloseDSN = "root:@tcp(127.0.0.1:3306)/xuefa_bench_close?parseTime=true&loc=UTC&charset=utf8mb4"

// closeOptions size the close scenario (issue 24: 100,000 learners close in under 60 s).
type closeOptions struct {
	Seed      seedSpec
	Reuse     bool // keep the schema of an earlier run: reopen its campaign and close it again
	Repeat    int  // closes to time (each after reopening the previous one)
	ExamShare int  // percent of learners with a main exam result
}

// closeCommand seeds learners with credit summaries, a main exam and its make-up with results
// and a formula counting the exam, then closes the campaign through the service as its
// organiser would, timing each close.
func closeCommand(ctx context.Context, dsn string, o closeOptions, getenv func(string) string, out io.Writer) error {
	cfg, err := benchConfig(dsn, getenv)
	if err != nil {
		return err
	}
	began := time.Now()
	if !o.Reuse {
		if err := resetSchema(ctx, dsn); err != nil {
			return err
		}
	}
	a, err := openMigratedApp(ctx, cfg, dsn, 10)
	if err != nil {
		return err
	}
	defer a.Close()
	sqlDB, err := a.DB.DB()
	if err != nil {
		return err
	}
	if !o.Reuse {
		fmt.Fprintf(out, "seed: %s — %d learners, %d ledger rows, exam results for %d %%\n", config.MaskDSN(dsn), o.Seed.Learners, o.Seed.Ledger, o.ExamShare)
		if err := seedCloseDataset(ctx, a, dsn, o, out); err != nil {
			return err
		}
		fmt.Fprintf(out, "  %-34s %8.1f s\n", "seed total", time.Since(began).Seconds())
	}
	organiser, campaignID, err := closeOrganiser(ctx, a)
	if err != nil {
		return err
	}
	if err := printMachine(ctx, sqlDB, out); err != nil {
		return err
	}
	for r := range max(o.Repeat, 1) {
		if err := timeClose(ctx, a, sqlDB, organiser, campaignID, r, out); err != nil {
			return err
		}
	}
	return nil
}

// seedCloseDataset is the main bench's dataset (learners, ledger, daily counters, summaries)
// plus the year's exam: a closed main exam and its make-up with results, a formula counting the
// exam at 40 %, and 1 % of learners exempt.
func seedCloseDataset(ctx context.Context, a *app.App, dsn string, o closeOptions, out io.Writer) error {
	bdsn, err := bulkDSN(dsn, true)
	if err != nil {
		return err
	}
	bulk, err := sql.Open("mysql", bdsn)
	if err != nil {
		return err
	}
	defer bulk.Close()
	spec := o.Seed
	bulk.SetMaxOpenConns(spec.Writers + 1)
	bulk.SetMaxIdleConns(spec.Writers + 1)
	spec.Hasher = auth.NewHasher(auth.FastPasswordParams()) // nobody logs in here
	if spec.Sealer, err = crypto.NewSealer(a.Config.Crypto.DataKey); err != nil {
		return err
	}
	if _, err := seedDataset(ctx, a, bulk, spec, out); err != nil {
		return err
	}
	mark := time.Now()
	organiser, campaignID, err := closeOrganiser(ctx, a)
	if err != nil {
		return err
	}
	mainID, examined, err := seedYearExam(ctx, a, bulk, campaignID, organiser.UnitID, o)
	if err != nil {
		return err
	}
	if err := targetMostLearners(ctx, a, organiser, campaignID); err != nil {
		return err
	}
	if _, err := a.YearEnd.SetFormula(ctx, organiser, campaignID, yearend.FormulaInput{ExamWeight: 40, ExamID: &mainID,
		PassScore: credit.Credits(60, 0), ExemptTargetPercent: 50}); err != nil {
		return err
	}
	fmt.Fprintf(out, "  %-34s %8.1f s\n", fmt.Sprintf("year exam (%d results), formula, exemptions", examined), time.Since(mark).Seconds())
	_, err = bulk.ExecContext(ctx, "ANALYZE TABLE exam_results, campaign_exemptions, credit_summaries, learners")
	return err
}

// targetMostLearners sets every track's credit target to the 30th percentile of the learners'
// totals: the seeded ledger is mid-campaign, so under the campaign's own targets almost nobody
// would meet them, and a close issues a certificate to each learner who does (most of a real
// county at the end of the year).
func targetMostLearners(ctx context.Context, a *app.App, organiser auth.Actor, campaignID int64) error {
	var n int64
	if err := a.DB.WithContext(ctx).Raw("SELECT COUNT(*) FROM credit_summaries WHERE campaign_id = ?", campaignID).Scan(&n).Error; err != nil {
		return err
	}
	var p30 credit.Amount
	if err := a.DB.WithContext(ctx).Raw("SELECT total FROM credit_summaries WHERE campaign_id = ? ORDER BY total LIMIT 1 OFFSET ?",
		campaignID, n*3/10).Scan(&p30).Error; err != nil {
		return err
	}
	p30 = max(p30, 1)
	targets := map[string]credit.Amount{"leader": p30, "general": p30, "judicial": p30}
	_, err := a.Campaigns.Update(ctx, organiser, campaignID, campaign.UpdateInput{Targets: targets}, etag.IfMatch{})
	return err
}

// seedYearExam adds the campaign's closed main exam and its make-up, results of the main exam
// for ExamShare % of the learners (those who failed retake the make-up, most of them passing)
// and exempts every hundredth learner. It returns the main exam's id and the results written.
func seedYearExam(ctx context.Context, a *app.App, bulk *sql.DB, campaignID, unitID int64, o closeOptions) (int64, int, error) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	opens, closes := now.AddDate(0, 0, -10), now.AddDate(0, 0, -3)
	exam := func(title string, main any) (int64, error) {
		res, err := bulk.ExecContext(ctx, "INSERT INTO exams (campaign_id, unit_id, main_exam_id, title, opens_at, closes_at, duration_minutes, "+
			"max_attempts, score_policy, pass_score, review_policy, status, created_at, updated_at) VALUES (?,?,?,?,?,?,60,1,'best',60,'after_close','closed',?,?)",
			campaignID, unitID, main, title, opens, closes, now, now)
		if err != nil {
			return 0, err
		}
		return res.LastInsertId()
	}
	mainID, err := exam("年度法律知识考试", nil)
	if err != nil {
		return 0, 0, err
	}
	makeupID, err := exam("年度法律知识考试（补考）", mainID)
	if err != nil {
		return 0, 0, err
	}
	rows, err := a.DB.WithContext(ctx).Raw("SELECT id, unit_id, track FROM learners WHERE status = 'active' ORDER BY id").Rows()
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	rng := rand.New(rand.NewPCG(o.Seed.Seed, 5))
	var results, exempt []any
	n, k := 0, 0
	for rows.Next() {
		var id, unit int64
		var track string
		if err := rows.Scan(&id, &unit, &track); err != nil {
			return 0, 0, err
		}
		k++
		if k%100 == 0 {
			exempt = append(exempt, campaignID, id, "驻村工作", now)
			continue
		}
		if rng.IntN(100) >= o.ExamShare {
			continue // 未参考
		}
		score := float64(30 + rng.IntN(71))
		results = append(results, mainID, id, unit, track, 1, score, 100.0, score >= 60, id, now)
		n++
		if score < 60 && rng.IntN(10) < 7 {
			retake := float64(45 + rng.IntN(56))
			results = append(results, makeupID, id, unit, track, 1, retake, 100.0, retake >= 60, id, now)
			n++
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	cols := []string{"exam_id", "learner_id", "unit_id", "track", "attempts", "score", "max_score", "passed", "counted_attempt_id", "updated_at"}
	if err := newBulkTable("exam_results", o.Seed.Batch, cols...).insert(ctx, bulk, results); err != nil {
		return 0, 0, err
	}
	if err := newBulkTable("campaign_exemptions", o.Seed.Batch, "campaign_id", "learner_id", "reason", "created_at").insert(ctx, bulk, exempt); err != nil {
		return 0, 0, err
	}
	return mainID, n, nil
}

// closeOrganiser is the county admin (the seeded campaign's organiser) and the campaign.
func closeOrganiser(ctx context.Context, a *app.App) (auth.Actor, int64, error) {
	root, err := a.Units.Root(ctx)
	if err != nil || root == nil {
		return auth.Actor{}, 0, fmt.Errorf("no root unit (%v)", err)
	}
	var campaignID, adminID int64
	if err := a.DB.WithContext(ctx).Raw("SELECT id FROM campaigns ORDER BY id LIMIT 1").Scan(&campaignID).Error; err != nil || campaignID == 0 {
		return auth.Actor{}, 0, fmt.Errorf("no seeded campaign (%v)", err)
	}
	if err := a.DB.WithContext(ctx).Raw("SELECT id FROM accounts WHERE role = 'admin' AND unit_id = ? ORDER BY id LIMIT 1", root.ID).Scan(&adminID).Error; err != nil || adminID == 0 {
		return auth.Actor{}, 0, fmt.Errorf("no root admin (%v)", err)
	}
	return auth.Actor{AccountID: adminID, Name: "bench", Role: auth.RoleAdmin, UnitID: root.ID, UnitPath: root.Path}, campaignID, nil
}

// timeClose reopens the campaign if an earlier close left it closed, then closes it and prints
// how long it took and what it froze.
func timeClose(ctx context.Context, a *app.App, db *sql.DB, organiser auth.Actor, campaignID int64, run int, out io.Writer) error {
	var status string
	if err := db.QueryRowContext(ctx, "SELECT status FROM campaigns WHERE id = ?", campaignID).Scan(&status); err != nil {
		return err
	}
	if campaign.Status(status) == campaign.StatusClosed {
		if _, err := a.YearEnd.Reopen(ctx, organiser, campaignID, "性能测试：重新结办"); err != nil {
			return err
		}
	}
	t0 := time.Now()
	cl, err := a.YearEnd.Close(ctx, organiser, campaignID)
	took := time.Since(t0)
	if err != nil {
		return err
	}
	var frozen, certs int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM year_results WHERE campaign_id = ? AND close_no = ?", campaignID, cl.CloseNo).Scan(&frozen); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM certificates WHERE campaign_id = ? AND close_no = ? AND revoked_at IS NULL", campaignID, cl.CloseNo).Scan(&certs); err != nil {
		return err
	}
	if frozen != cl.Learners || certs != cl.Met {
		return fmt.Errorf("close %d: %d results frozen for %d learners, %d certificates for %d met", cl.CloseNo, frozen, cl.Learners, certs, cl.Met)
	}
	// The close's finished_at is taken as step 3 begins: before it the batches, after it the
	// last transaction (campaign closed, certificates signed and stored, the event).
	batches := cl.FinishedAt.Sub(cl.StartedAt)
	fmt.Fprintf(out, "close run %d (close_no %d): %d learners frozen, %d met, %d certificates signed — %.1f s (%.0f learners/s; steps 1–2 %.1f s, step 3 %.1f s), load %s\n",
		run+1, cl.CloseNo, cl.Learners, cl.Met, certs, took.Seconds(), float64(cl.Learners)/took.Seconds(), batches.Seconds(),
		(took - batches).Seconds(), loadAverage())
	if took > time.Minute {
		fmt.Fprintln(out, "  over the 60 s target")
	}
	return nil
}
