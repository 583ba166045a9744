package certificate_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/yearend"
)

// issue gives the named demo learners a certificate of the demo campaign's close closeNo and
// returns their codes by name.
func issue(t *testing.T, e *apitest.Env, closeNo int, names ...string) map[string]string {
	t.Helper()
	cid := demoCampaign(t, e)
	var results []yearend.Result
	for _, n := range names {
		results = append(results, result(t, e, cid, closeNo, n, credit.Credits(92, 0), yearend.StatusMet))
	}
	require.NoError(t, e.App.Certificates.Issue(context.Background(), cid, closeNo, results))
	codes := map[string]string{}
	for _, r := range results {
		var code string
		require.NoError(t, e.DB.Table("certificates").Select("code").
			Where("learner_id = ? AND close_no = ?", r.LearnerID, closeNo).Scan(&code).Error)
		codes[r.LearnerName] = code
	}
	return codes
}

func certPath(code string) string { return "/api/v1/certificates/" + code }

// The public check answers what the certificate states and nothing else, to anyone without a
// token, for the code however it is typed; the documented recipe verifies it.
func TestPublicCertificate(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		code := issue(t, e, 1, "张伟")["张伟"]
		resp := e.Call(http.MethodGet, certPath(code), "", nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		m := resp.Map(t)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		assert.Equal(t, []string{"alg", "band", "campaign", "campaign_id", "code", "end_date", "issued_on", "issuer", "key_id", "name",
			"payload", "qr_text", "revoke_reason", "revoked", "revoked_at", "signature", "start_date", "status", "status_cn", "unit", "year"}, keys)
		assert.Equal(t, code, m["code"])
		assert.Equal(t, "张*", m["name"])
		assert.Equal(t, "华阳镇", m["unit"])
		assert.Equal(t, "优秀", m["band"])
		assert.Equal(t, "met", m["status"])
		assert.Equal(t, false, m["revoked"])
		assert.Nil(t, m["revoked_at"])
		assert.NotContains(t, string(resp.Body), "张伟", "the full name never leaves")
		assert.NotContains(t, string(resp.Body), "13800000001")

		keysResp := e.Call(http.MethodGet, "/api/v1/certificates/keys", "", nil)
		require.Equal(t, http.StatusOK, keysResp.Status)
		stated, err := verifyCertificate(resp.Body, keysResp.Body)
		require.NoError(t, err)
		assert.Equal(t, code, stated["code"], "the signed statement names the code looked up")
		fromQR, err := verifyQR(m["qr_text"].(string), keysResp.Body)
		require.NoError(t, err)
		assert.Equal(t, stated, fromQR)

		tampered := strings.Replace(string(resp.Body), `\"band\":\"优秀\"`, `\"band\":\"良好\"`, 1)
		require.NotEqual(t, string(resp.Body), tampered)
		_, err = verifyCertificate([]byte(tampered), keysResp.Body)
		assert.ErrorContains(t, err, "does not verify", "a changed statement fails")

		for _, typed := range []string{strings.ToLower(code), code[:4] + "-" + code[4:8] + "-" + code[8:12] + "-" + code[12:]} {
			again := e.Call(http.MethodGet, certPath(typed), "", nil)
			require.Equal(t, http.StatusOK, again.Status, typed)
			assert.Equal(t, code, again.Map(t)["code"])
		}
	})
}

var requestID = regexp.MustCompile(`"request_id":"[^"]*"`)

// A malformed code and an unknown code answer the same 404, after the same database work (the
// same one statement), in indistinguishable time.
func TestMalformedAndUnknownCodesLookAlike(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		issue(t, e, 1, "张伟")
		stmts := recordStatements(t, e)
		unknown := "7QK2M9D4XW1HZ8RT"
		var wantBody, wantSQL string
		for i, code := range []string{unknown, "short", "7QK2M9D4XW1HZ8RU", "%27%20OR%201%3D1--", strings.Repeat("A", 300), "7QK2M9D4XW1HZ8RTX"} {
			resp := e.Call(http.MethodGet, certPath(code), "", nil)
			assert.Equal(t, http.StatusNotFound, resp.Status, code)
			assert.Equal(t, "certificate.not_found", resp.ErrorCode(), code)
			body := requestID.ReplaceAllString(string(resp.Body), "")
			sql := stmts.take()
			require.Len(t, sql, 1, "one statement for %s: %v", code, sql)
			if i == 0 {
				wantBody, wantSQL = body, sql[0]
				continue
			}
			assert.Equal(t, wantBody, body, code)
			assert.Equal(t, wantSQL, sql[0], "the same query for %s", code)
		}

		// Timing: interleaved samples; the medians may differ by noise only.
		var unknownT, malformedT []time.Duration
		for range 40 {
			for _, code := range []string{unknown, "not-a-code"} {
				start := time.Now()
				e.Call(http.MethodGet, certPath(code), "", nil)
				if code == unknown {
					unknownT = append(unknownT, time.Since(start))
				} else {
					malformedT = append(malformedT, time.Since(start))
				}
			}
		}
		mu, mm := median(unknownT), median(malformedT)
		assert.LessOrEqual(t, (mu - mm).Abs(), 2*time.Millisecond+2*min(mu, mm), "medians: unknown %v, malformed %v", mu, mm)
	}, func(c *config.Config) { c.Certificates.LookupPerIPPerMinute = 10_000 })
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// Lookups are limited per client IP (429 with Retry-After), unknown codes counting too.
func TestCertificateLookupRateLimited(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		code := issue(t, e, 1, "张伟")["张伟"]
		for _, c := range []string{code, "unknown", code} {
			assert.NotEqual(t, http.StatusTooManyRequests, e.Call(http.MethodGet, certPath(c), "", nil).Status)
		}
		over := e.Call(http.MethodGet, certPath(code), "", nil)
		assert.Equal(t, http.StatusTooManyRequests, over.Status)
		assert.Equal(t, "certificate.rate_limited", over.ErrorCode())
		assert.NotEmpty(t, over.Header.Get("Retry-After"))
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, "/api/v1/certificates/keys", "", nil).Status, "the key list is not limited")
		e.Clock.Advance(time.Minute)
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, certPath(code), "", nil).Status)
	}, func(c *config.Config) { c.Certificates.LookupPerIPPerMinute = 3 })
}

// The key list publishes the active key first and the previous keys still verifying.
func TestCertificateKeys(t *testing.T) {
	prevPub := "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik="
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		resp := e.Call(http.MethodGet, "/api/v1/certificates/keys", "", nil)
		require.Equal(t, http.StatusOK, resp.Status)
		var list struct {
			Items []struct {
				KID          string `json:"kid"`
				Alg          string `json:"alg"`
				PublicKey    string `json:"public_key"`
				PublicKeyPEM string `json:"public_key_pem"`
				Active       bool   `json:"active"`
			} `json:"items"`
			Total int `json:"total"`
		}
		resp.JSON(t, &list)
		require.Len(t, list.Items, 2)
		assert.Equal(t, 2, list.Total)
		assert.Equal(t, "c2", list.Items[0].KID)
		assert.True(t, list.Items[0].Active)
		assert.Equal(t, "Ed25519", list.Items[0].Alg)
		assert.Contains(t, list.Items[0].PublicKeyPEM, "BEGIN PUBLIC KEY")
		assert.Equal(t, base64Of(e.App.Certificates.PublicKeys()[0].Key), list.Items[0].PublicKey)
		assert.Equal(t, "c1", list.Items[1].KID)
		assert.False(t, list.Items[1].Active)
		assert.Equal(t, prevPub, list.Items[1].PublicKey)
		assert.NotContains(t, string(resp.Body), seedA, "never the seed")

		code := issue(t, e, 1, "张伟")["张伟"]
		assert.Equal(t, "c2", e.Call(http.MethodGet, certPath(code), "", nil).Map(t)["key_id"], "new certificates use the active key")
	}, func(c *config.Config) {
		c.Certificates.KeyID = "c2"
		c.Certificates.SigningKey = seedA
		c.Certificates.PreviousKeys = []string{"c1:pub:" + prevPub}
	})
}

// A revocation by an admin who owns the learner shows on the public check; anyone else's
// admin gets 404; revoking twice is 409; the reason is required; it is audited.
func TestRevokeCertificate(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		codes := issue(t, e, 1, "张伟", "刘洋")
		zw, ly := codes["张伟"], codes["刘洋"]
		reason := map[string]any{"reason": "考试成绩复核后更正，年度成绩未达标"}
		cases := []struct {
			name   string
			token  string
			code   string
			body   any
			status int
			errode string
			field  string
		}{
			{"another township's admin", e.Token("linxi-admin"), zw, reason, http.StatusNotFound, "certificate.not_found", ""},
			{"a learner", e.Token("13800000001"), zw, reason, http.StatusForbidden, "auth.forbidden", ""},
			{"no reason", e.Token("huayang-admin"), zw, map[string]any{"reason": "   "}, http.StatusUnprocessableEntity, "request.validation", "reason"},
			{"reason too long", e.Token("huayang-admin"), zw, map[string]any{"reason": strings.Repeat("长", 501)}, http.StatusUnprocessableEntity, "", "reason"},
			{"malformed code", e.Token("huayang-admin"), "nope", reason, http.StatusNotFound, "certificate.not_found", ""},
			{"unknown code", e.Token("huayang-admin"), "7QK2M9D4XW1HZ8RT", reason, http.StatusNotFound, "certificate.not_found", ""},
			{"the learner's township admin", e.Token("huayang-admin"), zw, reason, http.StatusOK, "", ""},
			{"twice", e.Token("huayang-admin"), zw, reason, http.StatusConflict, "certificate.already_revoked", ""},
			{"the county admin, for a learner of a township", e.Token("admin"), strings.ToLower(ly), reason, http.StatusOK, "", ""},
		}
		for _, c := range cases {
			resp := e.Call(http.MethodPost, certPath(c.code)+"/revoke", c.token, c.body)
			require.Equal(t, c.status, resp.Status, "%s: %s", c.name, resp.Body)
			if c.errode != "" {
				assert.Equal(t, c.errode, resp.ErrorCode(), c.name)
			}
			if c.field != "" {
				assert.Contains(t, resp.ErrorFields(), c.field, c.name)
			}
			if c.status == http.StatusOK {
				assert.Equal(t, true, resp.Map(t)["revoked"], c.name)
			}
		}

		pub := e.Call(http.MethodGet, certPath(zw), "", nil).Map(t)
		assert.Equal(t, true, pub["revoked"])
		assert.Equal(t, reason["reason"], pub["revoke_reason"])
		assert.NotNil(t, pub["revoked_at"])
		keys := e.Call(http.MethodGet, "/api/v1/certificates/keys", "", nil)
		_, err := verifyCertificate(e.Call(http.MethodGet, certPath(zw), "", nil).Body, keys.Body)
		assert.ErrorContains(t, err, "revoked", "the signature still holds, the recipe reports the revocation")

		var audits []struct {
			Action     string
			ResourceID string
			ActorID    *int64
		}
		require.NoError(t, e.DB.Table("audit_logs").Where("action = ?", "certificate.revoke").Order("id").Find(&audits).Error)
		require.Len(t, audits, 2, "the two revocations, not the refusals")
		assert.Equal(t, e.AccountID("huayang-admin"), *audits[0].ActorID)
		var revokedBy int64
		require.NoError(t, e.DB.Table("certificates").Select("revoked_by").Where("code = ?", zw).Scan(&revokedBy).Error)
		assert.Equal(t, e.AccountID("huayang-admin"), revokedBy)
	})
}

// A learner lists their own certificates, newest first, superseded ones marked; nobody else's.
func TestMyCertificates(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		first := issue(t, e, 1, "张伟", "王芳")
		e.Clock.Advance(24 * time.Hour)
		second := issue(t, e, 2, "张伟")

		var mine struct {
			Items []struct {
				Code         string  `json:"code"`
				Revoked      bool    `json:"revoked"`
				RevokeReason *string `json:"revoke_reason"`
			} `json:"items"`
			Total int `json:"total"`
		}
		resp := e.Call(http.MethodGet, "/api/v1/me/certificates", e.Token("13800000001"), nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		resp.JSON(t, &mine)
		require.Equal(t, 2, mine.Total)
		assert.Equal(t, second["张伟"], mine.Items[0].Code, "newest first")
		assert.False(t, mine.Items[0].Revoked)
		assert.Equal(t, first["张伟"], mine.Items[1].Code)
		assert.True(t, mine.Items[1].Revoked)
		assert.Equal(t, "superseded", *mine.Items[1].RevokeReason)
		assert.NotContains(t, string(resp.Body), first["王芳"], "only one's own")

		none := e.Call(http.MethodGet, "/api/v1/me/certificates", e.Token("13800000003"), nil).Map(t)
		assert.EqualValues(t, 0, none["total"])
		assert.Equal(t, []any{}, none["items"])

		paged := e.Call(http.MethodGet, "/api/v1/me/certificates?page=2&page_size=1", e.Token("13800000001"), nil).Map(t)
		assert.Len(t, paged["items"], 1)
		assert.Equal(t, first["张伟"], paged["items"].([]any)[0].(map[string]any)["code"])
		assert.Equal(t, http.StatusBadRequest, e.Call(http.MethodGet, "/api/v1/me/certificates?page=0", e.Token("13800000001"), nil).Status)
	})
}

func base64Of(b []byte) string {
	out, _ := json.Marshal(b) // []byte marshals as standard base64
	return strings.Trim(string(out), `"`)
}
