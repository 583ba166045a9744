package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/etag"
	"github.com/xuefa/xuefa/internal/reminder"
)

// scanCommand times the daily lagging scan over every learner: the credits-lagging reminder
// rule of the root unit, run as the scheduler runs it (reminder.Service.RunDue: the scan, the
// per-rule throttle lookup and the reminders with their inbox deliveries, in one transaction).
// Each repeat uses a fresh rule, so nothing is throttled, and removes what it wrote afterwards.
// Before that it times the scan alone (supervision.Service.AllLagging) and prints the plan of
// one scan page.
func scanCommand(ctx context.Context, dsn string, repeat int, getenv func(string) string, out io.Writer) error {
	cfg, err := benchConfig(dsn, getenv)
	if err != nil {
		return err
	}
	a, err := app.New(cfg, slog.New(slog.DiscardHandler), app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := database.Migrate(ctx, a.DB); err != nil {
		return err
	}
	capture := newCaptureLogger(a.DB.Logger)
	a.DB.Logger = capture
	sqlDB, err := a.DB.DB()
	if err != nil {
		return err
	}
	if err := printMachine(ctx, sqlDB, out); err != nil {
		return err
	}
	var campaignID int64
	if err := sqlDB.QueryRowContext(ctx, "SELECT id FROM campaigns WHERE status = 'active' ORDER BY id LIMIT 1").Scan(&campaignID); err != nil {
		return fmt.Errorf("no active campaign: seed first (%w)", err)
	}
	var admin auth.Actor
	if err := sqlDB.QueryRowContext(ctx, `SELECT a.id, a.unit_id, u.path FROM accounts a JOIN units u ON u.id = a.unit_id
		WHERE a.username = 'admin'`).Scan(&admin.AccountID, &admin.UnitID, &admin.UnitPath); err != nil {
		return fmt.Errorf("root admin: %w", err)
	}
	admin.Name, admin.Role = "admin", auth.RoleAdmin

	for i := range max(repeat, 1) {
		load := loadAverage()
		began := time.Now()
		capture.start()
		list, err := a.Oversight.AllLagging(ctx, admin, admin.UnitID, campaignID, credit.Lagging)
		stmts := capture.stop()
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "scan %d: %d lagging learners (of every active one) in %s, %d statements, load %s → %s\n",
			i+1, len(list.Rows), ms(time.Since(began)), len(stmts), load, loadAverage())
		if i == 0 {
			if err := explainScanPage(ctx, sqlDB, stmts, out); err != nil {
				return err
			}
		}
	}
	for i := range max(repeat, 1) {
		if err := timeRuleRun(ctx, a, sqlDB, capture, admin, campaignID, i+1, out); err != nil {
			return err
		}
	}
	return nil
}

// explainScanPage prints the plan of the scan's first page query.
func explainScanPage(ctx context.Context, db *sql.DB, stmts []captured, out io.Writer) error {
	for _, s := range stmts {
		if strings.Contains(s.SQL, "LEFT JOIN credit_summaries") {
			plan, err := explainPlan(ctx, db, s.SQL)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "  page query (%s, %d rows): %s\n%s", ms(s.Took), s.Rows, oneLine(s.SQL, 600), plan)
			return nil
		}
	}
	return errors.New("scan: no page query captured")
}

// timeRuleRun creates a credits-lagging rule for the root unit, due now, runs the due rules as
// the scheduler does, counts what it wrote, and removes it again.
func timeRuleRun(ctx context.Context, a *app.App, db *sql.DB, capture *captureLogger, admin auth.Actor, campaignID int64, n int, out io.Writer) error {
	rule, err := a.Reminders.SaveRule(ctx, admin, 0, reminder.RuleInput{CampaignID: campaignID, UnitID: admin.UnitID,
		Kind: reminder.KindCreditsLagging, LagStatus: credit.Lagging, SendAt: "00:00", Channels: []string{reminder.ChannelInbox},
		MinIntervalDays: 1, Enabled: true}, etag.IfMatch{})
	if err != nil {
		return err
	}
	defer cleanRule(context.WithoutCancel(ctx), db, rule.ID)
	load := loadAverage()
	began := time.Now()
	capture.start()
	ran, err := a.Reminders.RunDue(ctx)
	stmts := capture.stop()
	took := time.Since(began)
	if err != nil {
		return err
	}
	if ran != 1 {
		return fmt.Errorf("rule run %d: %d rules ran, want 1 (is another rule enabled in the bench schema?)", n, ran)
	}
	var reminders, deliveries int64
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*), (SELECT COUNT(*) FROM reminder_deliveries d JOIN reminders r ON r.id = d.reminder_id
		WHERE r.rule_id = ?) FROM reminders WHERE rule_id = ?`, rule.ID, rule.ID).Scan(&reminders, &deliveries); err != nil {
		return err
	}
	var scan, inserts time.Duration
	pages, inserted := 0, 0
	for _, s := range stmts {
		switch {
		case strings.Contains(s.SQL, "LEFT JOIN credit_summaries"):
			scan += s.Took
			pages++
		case strings.HasPrefix(strings.TrimSpace(s.SQL), "INSERT"):
			inserts += s.Took
			inserted++
		}
	}
	fmt.Fprintf(out, "rule run %d: %s in all (%d statements: the scan's %d pages %s, %d INSERTs %s), %d reminders and %d deliveries written, load %s → %s\n",
		n, ms(took), len(stmts), pages, ms(scan), inserted, ms(inserts), reminders, deliveries, load, loadAverage())
	return nil
}

// cleanRule removes a bench rule with its reminders, deliveries and run claim.
func cleanRule(ctx context.Context, db *sql.DB, ruleID int64) {
	for _, q := range []string{
		"DELETE d FROM reminder_deliveries d JOIN reminders r ON r.id = d.reminder_id WHERE r.rule_id = ?",
		"DELETE FROM reminders WHERE rule_id = ?",
		"DELETE FROM job_runs WHERE job = CONCAT('reminder_rule:', ?)",
		"DELETE FROM reminder_rules WHERE id = ?",
	} {
		if _, err := db.ExecContext(ctx, q, ruleID); err != nil {
			fmt.Printf("clean rule %d: %v\n", ruleID, err)
		}
	}
}
