package app_test

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/platform/dbtest"
)

type cli struct {
	env map[string]string
}

func (c cli) run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = app.Run(context.Background(), "1.2.3", args, func(k string) string { return c.env[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}

func newCLI(t *testing.T, dialect string, extra map[string]string) cli {
	opts := dbtest.Options(t, dialect)
	env := map[string]string{
		"XUEFA_CONFIG":          "../../configs/xuefa.yaml",
		"XUEFA_DATABASE_DRIVER": opts.Driver,
		"XUEFA_DATABASE_DSN":    opts.DSN,
		// Seeding hashes 19 passwords; the production cost would take most of the test's time.
		"XUEFA_AUTH_PASSWORD_HASHING": "fast",
	}
	for k, v := range extra {
		env[k] = v
	}
	return cli{env: env}
}

func TestVersionAndUsage(t *testing.T) {
	c := cli{env: map[string]string{}}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := c.run(t, args...)
		assert.Equal(t, 0, code, args)
		assert.Equal(t, "xuefa 1.2.3\n", out, args)
	}
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}, {"migrate", "up", "--help"}} {
		code, out, _ := c.run(t, args...)
		assert.Equal(t, 0, code, args)
		assert.Contains(t, out, "usage: xuefa", args)
	}
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"migrate"}, "migrate needs a step: up, down or status"},
		{[]string{"migrate", "--config", "x.yaml"}, "migrate needs a step"},
		{[]string{"migrate", "sideways"}, `unknown migrate step "sideways"`},
		{[]string{"serve", "--port", "1"}, "flag provided but not defined: -port"},
		{[]string{"seed", "extra"}, `unexpected argument "extra"`},
	} {
		code, _, errOut := c.run(t, tc.args...)
		assert.Equal(t, 2, code, tc.args)
		assert.Contains(t, errOut, "xuefa: "+tc.says, tc.args)
		assert.Contains(t, errOut, "usage: xuefa", tc.args)
	}
}

// A port in use is reported before the database is touched.
func TestServeChecksTheAddressFirst(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	c := newCLI(t, "sqlite", map[string]string{"XUEFA_HTTP_ADDR": busy.Addr().String()})
	code, _, errOut := c.run(t, "serve")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "address already in use")
	_, out, _ := c.run(t, "migrate", "status")
	assert.NotContains(t, out, "applied", "nothing was migrated")
}

func TestMigrateUpStatusDown(t *testing.T) {
	for _, dialect := range dbtest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			c := newCLI(t, dialect, nil)
			code, out, errOut := c.run(t, "migrate", "status")
			require.Equal(t, 0, code, errOut)
			assert.Contains(t, out, "pending")

			code, out, errOut = c.run(t, "migrate", "up")
			require.Equal(t, 0, code, errOut)
			assert.Contains(t, out, "applied")
			assert.NotContains(t, out, "pending")

			code, _, errOut = c.run(t, "migrate", "down")
			require.Equal(t, 0, code, errOut)
			_, out, _ = c.run(t, "migrate", "status")
			assert.Contains(t, out, "pending")

		})
	}
}

func TestSeedPrintsLoginsAndIsIdempotent(t *testing.T) {
	for _, dialect := range dbtest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			c := newCLI(t, dialect, nil)
			code, out, errOut := c.run(t, "seed")
			require.Equal(t, 0, code, errOut)
			for _, login := range []string{"admin", "huayang-admin", "lecturer-wang", "auditor", app.DemoPassword} {
				assert.Contains(t, out, login)
			}
			code, out, _ = c.run(t, "seed")
			require.Equal(t, 0, code)
			assert.Contains(t, out, "nothing to do")
		})
	}
}

// Bootstrap credentials always name the root admin, also in a database that seed fills, and
// a production server refuses to start without its secrets.
func TestBootstrapAdminAndProductionRefusal(t *testing.T) {
	c := newCLI(t, "sqlite", map[string]string{
		"XUEFA_BOOTSTRAP_ADMIN_USERNAME": "county-root",
		"XUEFA_BOOTSTRAP_ADMIN_PASSWORD": "Root#Pass2026",
	})
	code, out, errOut := c.run(t, "seed")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "county-root")
	assert.NotContains(t, out, "Root#Pass2026", "a configured password is never printed")
	assert.NotContains(t, out, "\n  admin ", "no second root admin")

	prod := newCLI(t, "sqlite", map[string]string{"XUEFA_MODE": "production"})
	code, _, errOut = prod.run(t, "serve")
	assert.Equal(t, 1, code)
	for _, want := range []string{"auth.jwt_signing_key", "crypto.data_key", "database.driver mysql"} {
		assert.Contains(t, errOut, want)
	}
	assert.True(t, strings.Count(errOut, "\n") <= 2, "one clear message")
}
