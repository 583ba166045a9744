package integration_test

import (
	"encoding/base64"

	"github.com/xuefa/xuefa/internal/platform/config"
)

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// bigBody lets a 1,001-item sync through the body limit so the item cap answers.
func bigBody(c *config.Config) { c.HTTP.BodyLimitBytes = 4 << 20 }
