// Package wechatfake is a fake WeChat server speaking the few APIs xuefa calls. Tests of any
// package start it with httptest (NewServer) and script faults; `wechat.mode: fake` runs it in
// process (Transport) so the README's demo logs in without WeChat.
//
// Codes: "dev-<name>" always maps to the same openid (OpenID("<name>")) and may be reused, for
// demos; codes from IssueCode work once (then 40163); "bad-..." and unknown codes answer 40029;
// "risky-<name>" answers 40226 (high-risk user). Phone codes: "dev-phone-<11 digits>" gives that
// number; codes from AddPhoneCode work once.
package wechatfake

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// OpenID is the stable openid the fake gives code "dev-<name>".
func OpenID(name string) string {
	sum := sha256.Sum256([]byte("xuefa-fake-openid:" + name))
	return "o" + hex.EncodeToString(sum[:])[:27]
}

// Sent is one subscribe message the fake accepted.
type Sent struct {
	ToUser     string
	TemplateID string
	Page       string
	Data       map[string]map[string]string
}

// Server is the fake's state. The zero value is not usable; build it with New.
type Server struct {
	mu          sync.Mutex
	codes       map[string]string // one-time code → openid
	used        map[string]bool
	phoneCodes  map[string]string
	tokenSeq    int
	validTokens map[string]bool
	declined    map[string]bool // openid → refuses subscribe messages (43101)
	failures    []int           // errcodes (or HTTP statuses 5xx) for the next sends
	sent        []Sent
	calls       map[string]int
}

// New builds an empty fake.
func New() *Server {
	return &Server{codes: map[string]string{}, used: map[string]bool{}, phoneCodes: map[string]string{},
		validTokens: map[string]bool{}, declined: map[string]bool{}, calls: map[string]int{}}
}

// NewServer starts the fake on a loopback port; Close it when done.
func NewServer() (*Server, *httptest.Server) {
	s := New()
	return s, httptest.NewServer(s)
}

// Transport routes every request to the fake in process (no listening port).
func (s *Server) Transport() http.RoundTripper { return roundTripper{s} }

type roundTripper struct{ s *Server }

func (r roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	r.s.ServeHTTP(w, req)
	return w.Result(), nil
}

// IssueCode returns a fresh one-time login code for openid.
func (s *Server) IssueCode(openid string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	code := fmt.Sprintf("code-%d-%s", len(s.codes)+1, openid)
	s.codes[code] = openid
	return code
}

// AddPhoneCode makes code a one-time phone-number code for phone.
func (s *Server) AddPhoneCode(code, phone string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.phoneCodes[code] = phone
}

// InvalidateTokens makes every access token issued so far answer 40001 (as when another
// process force-refreshed the stable token).
func (s *Server) InvalidateTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.validTokens = map[string]bool{}
}

// Decline makes openid refuse subscribe messages (43101), or accept them again.
func (s *Server) Decline(openid string, declined bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.declined[openid] = declined
}

// FailSends makes the next subscribe sends fail, one per entry: an HTTP status when 500–599
// (e.g. 502), else a WeChat errcode (e.g. -1 system busy, 45009).
func (s *Server) FailSends(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, codes...)
}

// Sent returns the subscribe messages accepted so far.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Calls returns how often an API path (e.g. "cgi-bin/stable_token") was called.
func (s *Server) Calls(api string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[api]
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func errcode(w http.ResponseWriter, code int, msg string) {
	reply(w, map[string]any{"errcode": code, "errmsg": msg})
}

// ServeHTTP implements the APIs.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	api := strings.TrimPrefix(r.URL.Path, "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[api]++
	switch api {
	case "sns/jscode2session":
		s.session(w, r)
	case "cgi-bin/stable_token":
		s.token(w, r)
	case "cgi-bin/message/subscribe/send":
		s.send(w, r)
	case "wxa/business/getuserphonenumber":
		s.phone(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) session(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	code := q.Get("js_code")
	if q.Get("appid") == "" || q.Get("secret") == "" {
		errcode(w, 40013, "invalid appid")
		return
	}
	var openid string
	switch {
	case strings.HasPrefix(code, "dev-") && len(code) > 4:
		openid = OpenID(strings.TrimPrefix(code, "dev-"))
	case strings.HasPrefix(code, "risky-"):
		errcode(w, 40226, "high risk user")
		return
	case s.codes[code] != "":
		if s.used[code] {
			errcode(w, 40163, "code been used")
			return
		}
		s.used[code] = true
		openid = s.codes[code]
	default:
		errcode(w, 40029, "invalid code")
		return
	}
	reply(w, map[string]any{"openid": openid, "session_key": "fake-session-key-" + openid})
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	var in struct {
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.AppID == "" || in.Secret == "" {
		errcode(w, 40013, "invalid appid")
		return
	}
	// Like stable_token: the same token while it is valid, a new one on force_refresh.
	if !in.ForceRefresh {
		for t := range s.validTokens {
			reply(w, map[string]any{"access_token": t, "expires_in": 7200})
			return
		}
	}
	s.tokenSeq++
	t := fmt.Sprintf("fake-token-%d", s.tokenSeq)
	s.validTokens = map[string]bool{t: true}
	reply(w, map[string]any{"access_token": t, "expires_in": 7200})
}

func (s *Server) tokenOK(w http.ResponseWriter, r *http.Request) bool {
	if !s.validTokens[r.URL.Query().Get("access_token")] {
		errcode(w, 40001, "invalid credential, access_token is invalid or not latest")
		return false
	}
	return true
}

func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	if !s.tokenOK(w, r) {
		return
	}
	var in struct {
		ToUser     string                       `json:"touser"`
		TemplateID string                       `json:"template_id"`
		Page       string                       `json:"page"`
		Data       map[string]map[string]string `json:"data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.ToUser == "" || in.TemplateID == "" {
		errcode(w, 47003, "argument invalid")
		return
	}
	if len(s.failures) > 0 {
		f := s.failures[0]
		s.failures = s.failures[1:]
		if f >= 500 && f < 600 {
			w.WriteHeader(f)
			return
		}
		errcode(w, f, "scripted failure")
		return
	}
	if s.declined[in.ToUser] {
		errcode(w, 43101, "user refuse to accept the msg")
		return
	}
	s.sent = append(s.sent, Sent{ToUser: in.ToUser, TemplateID: in.TemplateID, Page: in.Page, Data: in.Data})
	errcode(w, 0, "ok")
}

func (s *Server) phone(w http.ResponseWriter, r *http.Request) {
	if !s.tokenOK(w, r) {
		return
	}
	var in struct {
		Code string `json:"code"`
	}
	_ = json.NewDecoder(r.Body).Decode(&in)
	phone := s.phoneCodes[in.Code]
	if strings.HasPrefix(in.Code, "dev-phone-") {
		phone = strings.TrimPrefix(in.Code, "dev-phone-")
	} else if phone != "" {
		delete(s.phoneCodes, in.Code)
	}
	if phone == "" {
		errcode(w, 40029, "invalid code")
		return
	}
	reply(w, map[string]any{"errcode": 0, "errmsg": "ok", "phone_info": map[string]any{
		"phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86"}})
}
