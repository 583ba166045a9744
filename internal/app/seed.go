package app

import (
	"context"
	"fmt"
	"io"

	"github.com/xuefa/xuefa/internal/account"
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
	bank, n, err := a.Banks.SeedDemo(ctx, system, root.ID)
	if err != nil {
		return fmt.Errorf("seed question bank: %w", err)
	}
	fmt.Fprintf(out, "seed: question bank %q (id %d) with %d questions\n", bank.Name, bank.ID, n)
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
