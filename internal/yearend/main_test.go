package yearend_test

import (
	"os"
	"testing"

	"github.com/xuefa/xuefa/internal/platform/dbtest"
)

// TestMain drops the MySQL template schemas the tests built (see dbtest.Main).
func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }
