package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/event"
	"github.com/xuefa/xuefa/internal/learner"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/clock"
	"github.com/xuefa/xuefa/internal/platform/etag"
	"github.com/xuefa/xuefa/internal/study"
	"github.com/xuefa/xuefa/internal/unit"
)

// DemoPassword is the password of every demo account `seed` creates (except a bootstrap admin,
// which keeps its configured password).
const DemoPassword = "Xuefa@2026"

type demoUnit struct {
	code, name string
	kind       unit.Kind
}

type demoAccount struct {
	username, name string
	role           auth.Role
	unitCode       string
}

// Seed fills an empty database with a small realistic county: 绩溪县 with three townships and
// three county departments, their admins, a lecturer and an auditor. It does nothing when the
// database already has units. It prints the logins to out.
func (a *App) Seed(ctx context.Context, out io.Writer) error {
	root, err := a.Units.Root(ctx)
	if err != nil {
		return err
	}
	if root != nil {
		fmt.Fprintln(out, "seed: the database already has units; nothing to do")
		return nil
	}
	root, err = a.Units.CreateRoot(ctx, "jixi", "绩溪县")
	if err != nil {
		return err
	}
	system := auth.Actor{Name: "system", Role: auth.RoleAdmin, UnitID: root.ID, UnitPath: root.Path}
	codes := map[string]int64{"jixi": root.ID}
	for _, d := range []demoUnit{
		{"huayang", "华阳镇", unit.KindTownship},
		{"linxi", "临溪镇", unit.KindTownship},
		{"shangzhuang", "上庄镇", unit.KindTownship},
		{"sfj", "县司法局", unit.KindDepartment},
		{"jyj", "县教育局", unit.KindDepartment},
		{"gaj", "县公安局", unit.KindDepartment},
	} {
		u, err := a.Units.Create(ctx, system, unit.CreateInput{ParentID: root.ID, Code: d.code, Name: d.name, Kind: d.kind})
		if err != nil {
			return fmt.Errorf("seed unit %s: %w", d.code, err)
		}
		codes[d.code] = u.ID
	}
	rootAdmin := demoAccount{"admin", "县司法局管理员", auth.RoleAdmin, "jixi"}
	if a.Config.Bootstrap.AdminUsername != "" {
		rootAdmin.username = a.Config.Bootstrap.AdminUsername
	}
	accounts := []demoAccount{
		rootAdmin,
		{"huayang-admin", "华阳镇管理员", auth.RoleAdmin, "huayang"},
		{"linxi-admin", "临溪镇管理员", auth.RoleAdmin, "linxi"},
		{"shangzhuang-admin", "上庄镇管理员", auth.RoleAdmin, "shangzhuang"},
		{"jyj-admin", "县教育局管理员", auth.RoleAdmin, "jyj"},
		{"lecturer-wang", "王法官", auth.RoleLecturer, "sfj"},
		{"auditor", "审计管理员", auth.RoleAuditor, "jixi"},
	}
	fmt.Fprintln(out, "seed: created 绩溪县 with 3 townships and 3 departments; demo logins:")
	for _, d := range accounts {
		password := DemoPassword
		if d == rootAdmin && a.Config.Bootstrap.AdminPassword != "" {
			password = a.Config.Bootstrap.AdminPassword
		}
		if _, err := a.Accounts.Provision(ctx, account.ProvisionInput{
			Username: d.username, DisplayName: d.name, Role: d.role, UnitID: codes[d.unitCode], Password: password,
		}); err != nil {
			return fmt.Errorf("seed account %s: %w", d.username, err)
		}
		shown := password
		if d == rootAdmin && a.Config.Bootstrap.AdminPassword != "" {
			shown = "(bootstrap.admin_password)"
		}
		fmt.Fprintf(out, "  %-18s %-10s %-26s password %s\n", d.username, d.role, d.name, shown)
	}
	if err := a.seedLearners(ctx, codes, out); err != nil {
		return err
	}
	bank, n, err := a.Banks.SeedDemo(ctx, system, root.ID)
	if err != nil {
		return fmt.Errorf("seed question bank: %w", err)
	}
	fmt.Fprintf(out, "  question bank %q (id %d) with %d questions\n", bank.Name, bank.ID, n)
	if err := a.seedCampaign(ctx, system, root.ID, out); err != nil {
		return err
	}
	return a.seedReportsAndConsultations(ctx, system, out)
}

// seedCampaign opens the county's law-study month around today with four courses.
func (a *App) seedCampaign(ctx context.Context, system auth.Actor, rootID int64, out io.Writer) error {
	today := a.now().In(clock.Shanghai())
	start := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, clock.Shanghai())
	c, err := a.Campaigns.Create(ctx, system, campaign.Input{
		UnitID: rootID, Name: "第九个机关集中学法月", Theme: "尊法学法守法用法，建设更高水平的法治绩溪",
		StartDate: start.Format(time.DateOnly), EndDate: start.AddDate(0, 2, -1).Format(time.DateOnly),
		Targets: map[string]credit.Amount{"leader": credit.Credits(40, 0), "general": credit.Credits(30, 0), "judicial": credit.Credits(50, 0)},
		Rules: credit.Rules{
			StudyPerMinute: credit.Credits(0, 10), PracticePerCorrect: credit.Credits(0, 10), ExamPass: credit.Credits(10, 0),
			EventAttendance: credit.Credits(2, 0), QuizPerPlay: credit.Credits(0, 50),
			DailyCaps: map[credit.Source]credit.Amount{credit.SourceStudy: credit.Credits(3, 0), credit.SourcePractice: credit.Credits(1, 0), credit.SourceQuiz: credit.Credits(1, 0)},
		},
		Contacts: []campaign.Contact{{Name: "县司法局普法与依法治理股", Phone: "0563-8151234", OfficeHours: "工作日 8:30-12:00，14:30-17:30"}},
	})
	if err != nil {
		return fmt.Errorf("seed campaign: %w", err)
	}
	active := campaign.StatusActive
	if _, err := a.Campaigns.Update(ctx, system, c.ID, campaign.UpdateInput{Status: &active}, etag.IfMatch{}); err != nil {
		return err
	}
	for i, d := range demoCourses() {
		d.CampaignID, d.SortOrder, d.Status = c.ID, i+1, study.CoursePublished
		if _, err := a.Study.CreateCourse(ctx, system, d); err != nil {
			return fmt.Errorf("seed course %s: %w", d.Title, err)
		}
	}
	fmt.Fprintf(out, "  campaign: %s (%s – %s, active) with %d courses\n", c.Name, c.StartDate, c.EndDate, len(demoCourses()))

	return a.seedEvents(ctx, system, c.ID, rootID)
}

// seedEvents adds one event of each type around today; the lecture is on now, so a demo
// learner can register and check in with the code its organiser's screen shows.
func (a *App) seedEvents(ctx context.Context, system auth.Actor, campaignID, rootID int64) error {
	now := a.now().In(clock.Shanghai()).Truncate(time.Hour)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, clock.Shanghai())
	units, _, err := a.Units.List(ctx, system, unit.ListInput{Limit: 100})
	if err != nil {
		return err
	}
	codes := map[string]int64{}
	for _, u := range units {
		codes[u.Code] = u.ID
	}
	lecturer, err := a.Accounts.Store.ByUsername(ctx, "lecturer-wang")
	if err != nil {
		return err
	}
	published := event.StatusPublished
	for _, in := range []event.Input{
		{Type: event.TypeLecture, UnitID: rootID, Title: "法治讲坛：民法典与基层治理", Speakers: []event.Speaker{{Name: "王法官", Title: "法官"}},
			OrganiserIDs: []int64{lecturer.ID}, VenueName: "县行政中心三楼会议室", VenueAddress: "绩溪县华阳镇",
			StartsAt: now.Add(-30 * time.Minute), EndsAt: now.Add(3 * time.Hour), Capacity: 100, RegistrationRequired: true, Credits: credit.Credits(2, 0)},
		{Type: event.TypeCourtHearing, UnitID: rootID, Title: "旁听庭审：一起行政处罚案件", VenueName: "绩溪县人民法院第一法庭",
			StartsAt: day.AddDate(0, 0, 1).Add(9 * time.Hour), EndsAt: day.AddDate(0, 0, 1).Add(12 * time.Hour), Capacity: 30,
			RegistrationRequired: true, MinMinutes: 90, CourtName: "绩溪县人民法院", CaseType: "行政诉讼", CaseNumber: "(2026)皖1824行初12号"},
		{Type: event.TypeWarningEducation, UnitID: rootID, Title: "警示教育：以案为鉴", VenueName: "县廉政教育基地",
			StartsAt: day.AddDate(0, 0, 3).Add(10 * time.Hour), EndsAt: day.AddDate(0, 0, 3).Add(12 * time.Hour), AudienceTracks: []string{"leader"}},
		{Type: event.TypeLawDelivery, UnitID: codes["huayang"], Title: "送法进校园：未成年人保护法", VenueName: "华阳中学", VenueType: "学校",
			StartsAt: day.AddDate(0, 0, 5).Add(14 * time.Hour), EndsAt: day.AddDate(0, 0, 5).Add(16 * time.Hour), AudienceReached: 600},
	} {
		in.CampaignID = campaignID
		e, err := a.Events.Create(ctx, system, in)
		if err != nil {
			return fmt.Errorf("seed event %s: %w", in.Title, err)
		}
		if _, err := a.Events.Update(ctx, system, e.ID, in, &published, etag.IfMatch{}); err != nil {
			return err
		}
	}
	return nil
}

func demoCourses() []study.CourseInput {
	body := func(s string) *string { return &s }
	all := []string{"leader", "general", "judicial"}
	return []study.CourseInput{
		{Title: "《中华人民共和国宪法》导读", Kind: study.KindArticle, DurationSeconds: 600, Tracks: all, Credit: credit.Credits(1, 0),
			Body: body("宪法是国家的根本法，具有最高的法律效力。本课介绍宪法的基本原则、公民的基本权利和义务、国家机构，以及宪法宣誓制度。")},
		{Title: "民法典婚姻家庭编要点", Kind: study.KindVideo, URL: "https://www.npc.gov.cn/", DurationSeconds: 900, Tracks: all, Credit: credit.Credits(1, 0)},
		{Title: "行政处罚法：程序与裁量", Kind: study.KindArticle, DurationSeconds: 480, Tracks: []string{"leader", "judicial"}, Credit: credit.Credits(1, 0),
			Body: body("行政处罚遵循公正、公开的原则。本课讲解处罚的种类和设定、管辖、普通程序与听证程序，以及“首违不罚”和裁量基准。")},
		{Title: "以案释法：醉驾入刑十年", Kind: study.KindAudio, URL: "https://www.court.gov.cn/", DurationSeconds: 300, Tracks: all, Credit: credit.Credits(0, 50)},
	}
}

type demoLearner struct {
	name, phone, unitCode, position string
	track                           learner.Track
}

// seedLearners adds a dozen learners across the county; they log in by phone.
func (a *App) seedLearners(ctx context.Context, codes map[string]int64, out io.Writer) error {
	learners := []demoLearner{
		{"张伟", "13800000001", "huayang", "科员", learner.TrackGeneral},
		{"王芳", "13800000002", "huayang", "副镇长", learner.TrackLeader},
		{"李娜", "13800000003", "huayang", "综治办干事", learner.TrackGeneral},
		{"刘洋", "13800000004", "linxi", "镇长", learner.TrackLeader},
		{"陈静", "13800000005", "linxi", "科员", learner.TrackGeneral},
		{"杨磊", "13800000006", "shangzhuang", "司法所所长", learner.TrackJudicial},
		{"赵敏", "13800000007", "shangzhuang", "科员", learner.TrackGeneral},
		{"黄强", "13800000008", "sfj", "人民调解员", learner.TrackJudicial},
		{"周婷", "13800000009", "jyj", "办公室主任", learner.TrackGeneral},
		{"吴斌", "13800000010", "jyj", "局长", learner.TrackLeader},
		{"徐刚", "13800000011", "gaj", "民警", learner.TrackJudicial},
		{"孙丽", "13800000012", "gaj", "科员", learner.TrackGeneral},
	}
	for i, d := range learners {
		idCard := learner.CompleteIDCard(fmt.Sprintf("341824198%d0%d1%d%03d", i%10, 1+i%9, i%3, 100+i))
		if _, err := a.Learners.Seed(ctx, learner.Profile{Name: d.name, UnitID: codes[d.unitCode], Track: d.track,
			Position: d.position, Phone: d.phone, IDCard: idCard}, DemoPassword); err != nil {
			return fmt.Errorf("seed learner %s: %w", d.name, err)
		}
	}
	fmt.Fprintf(out, "  learners: %d, log in by phone, e.g. 13800000001 (张伟, 华阳镇) password %s\n", len(learners), DemoPassword)
	return nil
}

// EnsureRoot makes sure a root unit and a root admin exist (run at every serve start). It
// prints a generated root admin password, once, to out.
func (a *App) EnsureRoot(ctx context.Context, out io.Writer) error {
	root, err := a.Units.Root(ctx)
	if err != nil {
		return err
	}
	if root == nil {
		if root, err = a.Units.CreateRoot(ctx, "county", a.Config.Bootstrap.RootUnitName); err != nil {
			return err
		}
	}
	res, err := a.Accounts.EnsureRootAdmin(ctx, account.BootstrapInput{
		RootUnitID: root.ID, Username: a.Config.Bootstrap.AdminUsername, Password: a.Config.Bootstrap.AdminPassword,
	})
	if err != nil {
		return err
	}
	switch {
	case res.GeneratedPassword != "":
		fmt.Fprintf(out, "root admin created: username %s, password %s (shown once; change it at first login)\n", res.Username, res.GeneratedPassword)
	case res.Created:
		a.Log.Info("root admin created from bootstrap settings", "username", res.Username)
	case res.PasswordSynced:
		a.Log.Warn("root admin password reset to bootstrap.admin_password", "username", res.Username)
	}
	return nil
}

// SeedDemo is Seed for people (the CLI's seed and dev serve): on a fresh seed it also gives some
// demo learners credits already earned offline, so dashboards show a realistic mid-campaign
// spread (some on pace, some lagging, some with nothing yet). Tests use Seed alone, so their
// hand-computed figures start from zero.
func (a *App) SeedDemo(ctx context.Context, out io.Writer) error {
	existing, err := a.Units.Root(ctx)
	if err != nil || existing != nil {
		if err == nil {
			fmt.Fprintln(out, "seed: the database already has units; nothing to do")
		}
		return err
	}
	if err := a.Seed(ctx, out); err != nil {
		return err
	}
	if err := a.SeedQuiz(ctx, out); err != nil {
		return err
	}
	root, err := a.Units.Root(ctx)
	if err != nil {
		return err
	}
	system := auth.Actor{Name: "system", Role: auth.RoleAdmin, UnitID: root.ID, UnitPath: root.Path}
	campaigns, _, err := a.Campaigns.List(ctx, system, campaign.StatusActive, 0, 1)
	if err != nil || len(campaigns) == 0 {
		return err
	}
	if err := a.seedProgress(ctx, campaigns[0].ID); err != nil {
		return err
	}
	return a.SeedDemoExams(ctx, out)
}

func (a *App) seedProgress(ctx context.Context, campaignID int64) error {
	for name, amount := range map[string]credit.Amount{
		"王芳": credit.Credits(12, 0), "刘洋": credit.Credits(25, 0), "陈静": credit.Credits(9, 50),
		"杨磊": credit.Credits(30, 0), "周婷": credit.Credits(4, 0), "孙丽": credit.Credits(30, 0),
	} {
		id, err := a.Learners.IDByName(ctx, name)
		if err != nil {
			return err
		}
		if _, err := a.Credits.Award(ctx, credit.Award{LearnerID: id, CampaignID: campaignID, Source: credit.SourceAdjustment,
			SourceID: "seed:offline-study", Amount: amount, Reason: "示例数据：线下集中学习补录"}); err != nil {
			return err
		}
	}
	return nil
}
