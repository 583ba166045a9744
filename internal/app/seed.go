package app

import (
	"context"
	"fmt"
	"io"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/learner"
	"github.com/xuefa/xuefa/internal/platform/auth"
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
	return a.seedLearners(ctx, codes, out)
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
