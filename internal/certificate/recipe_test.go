package certificate_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

// The Go recipe of docs/integrators.md ("Verifying a certificate"), word for word: the test
// below checks that the docs carry exactly the text between the markers.

// doc:begin
// verifyCertificate checks a certificate as GET /api/v1/certificates/{code} answers it (certJSON)
// with the keys of GET /api/v1/certificates/keys (keysJSON, cached for offline use). It returns
// the statement the signature covers: compare its "code" with the code printed on the paper.
func verifyCertificate(certJSON, keysJSON []byte) (map[string]any, error) {
	var cert struct {
		Payload   string `json:"payload"`
		Signature string `json:"signature"`
		KeyID     string `json:"key_id"`
		Revoked   bool   `json:"revoked"`
	}
	var keys struct {
		Items []struct {
			KID       string `json:"kid"`
			PublicKey string `json:"public_key"`
		} `json:"items"`
	}
	if err := json.Unmarshal(certJSON, &cert); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(keysJSON, &keys); err != nil {
		return nil, err
	}
	sig, err := base64.StdEncoding.DecodeString(cert.Signature)
	if err != nil {
		return nil, err
	}
	for _, k := range keys.Items {
		if k.KID != cert.KeyID {
			continue
		}
		pub, err := base64.StdEncoding.DecodeString(k.PublicKey)
		if err != nil || len(pub) != ed25519.PublicKeySize {
			return nil, errors.New("bad public key")
		}
		// The signature covers the payload's bytes exactly as served: never re-encode it.
		if !ed25519.Verify(pub, []byte(cert.Payload), sig) {
			return nil, errors.New("signature does not verify")
		}
		var stated map[string]any
		if err := json.Unmarshal([]byte(cert.Payload), &stated); err != nil {
			return nil, err
		}
		if stated["kid"] != cert.KeyID {
			return nil, errors.New("key id differs from the signed one")
		}
		if cert.Revoked {
			return stated, errors.New("certificate revoked")
		}
		return stated, nil
	}
	return nil, errors.New("unknown key id " + cert.KeyID)
}

// verifyQR checks the text of a certificate's QR code offline:
// "XFC1." + base64url(payload) + "." + base64url(signature). Revocation needs the online check.
func verifyQR(text string, keysJSON []byte) (map[string]any, error) {
	rest, ok := strings.CutPrefix(text, "XFC1.")
	p64, s64, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 {
		return nil, errors.New("not a certificate QR code")
	}
	payload, err := base64.RawURLEncoding.DecodeString(p64)
	if err != nil {
		return nil, err
	}
	sig, err := base64.RawURLEncoding.DecodeString(s64)
	if err != nil {
		return nil, err
	}
	var signed struct {
		KID string `json:"kid"`
	}
	if err := json.Unmarshal(payload, &signed); err != nil {
		return nil, err
	}
	cert, err := json.Marshal(map[string]string{
		"payload": string(payload), "signature": base64.StdEncoding.EncodeToString(sig), "key_id": signed.KID,
	})
	if err != nil {
		return nil, err
	}
	return verifyCertificate(cert, keysJSON)
}

// doc:end

const integratorsDoc = "../../docs/integrators.md"

// The docs carry the Go recipe exactly as tested here.
func TestDocsCarryTheTestedGoRecipe(t *testing.T) {
	self, err := os.ReadFile("recipe_test.go")
	require.NoError(t, err)
	src := string(self)
	begin, end := strings.Index(src, "// doc:begin\n"), strings.Index(src, "// doc:end\n")
	require.True(t, begin >= 0 && end > begin)
	recipe := strings.TrimSpace(src[begin+len("// doc:begin\n") : end])
	doc, err := os.ReadFile(integratorsDoc)
	require.NoError(t, err)
	assert.Contains(t, string(doc), recipe, "docs/integrators.md must carry the Go recipe of recipe_test.go word for word")
}

// shellRecipe is the openssl block of the docs' "Verifying a certificate" section.
var shellRecipe = regexp.MustCompile("(?s)<!-- recipe:openssl -->\n```sh\n(.*?)```")

// The documented openssl recipe, run as written (curl, jq, openssl) against a live server,
// verifies a certificate's signature; one changed byte of the payload fails it.
func TestDocsOpenSSLRecipe(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq", "openssl", "base64"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	doc, err := os.ReadFile(integratorsDoc)
	require.NoError(t, err)
	m := shellRecipe.FindSubmatch(doc)
	require.NotNil(t, m, "docs/integrators.md has no <!-- recipe:openssl --> sh block")
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		code := issue(t, e, 1, "张伟")["张伟"]
		srv := httptest.NewServer(e.App.Server.Handler())
		defer srv.Close()
		var lines []string
		for _, l := range strings.Split(string(m[1]), "\n") {
			switch {
			case strings.HasPrefix(l, "BASE="):
				l = "BASE=" + srv.URL
			case strings.HasPrefix(l, "CODE="):
				l = "CODE=" + code
			}
			lines = append(lines, l)
		}
		dir := t.TempDir()
		run := func(script string) (string, error) {
			cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		out, err := run(strings.Join(lines, "\n"))
		require.NoError(t, err, "%s", out)
		assert.Contains(t, out, "Signature Verified Successfully")
		assert.Contains(t, out, "false", "the recipe prints revoked: false")

		payload := filepath.Join(dir, "payload.bin")
		raw, err := os.ReadFile(payload)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(payload, []byte(strings.Replace(string(raw), "优秀", "良好", 1)), 0o600))
		out, err = run("openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in payload.bin -sigfile signature.bin")
		assert.Error(t, err, "a changed payload fails: %s", out)
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, "/api/v1/certificates/"+code, "", nil).Status)
	})
}
