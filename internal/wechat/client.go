// Package wechat is the mini-program side of WeChat: a small typed client for the few WeChat
// server APIs xuefa calls (code → openid, the stable access token, subscribe messages, phone
// numbers), the binding of openids to accounts behind POST /auth/wechat, and the
// subscribe-message quota that the reminder channel spends.
package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// WeChat error codes xuefa reacts to (https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/).
const (
	CodeSystemBusy      = -1
	CodeInvalidToken    = 40001 // access token invalid (another refresh superseded it)
	CodeInvalidCode     = 40029 // js_code invalid
	CodeCodeUsed        = 40163 // js_code already used
	CodeHighRiskUser    = 40226 // high-risk user, login blocked
	CodeTokenExpired    = 42001
	CodeMinuteQuota     = 45011 // API minute quota reached
	CodeSubscribeRefuse = 43101 // user refused the subscribe message (or has no quota left)
)

// Error is a WeChat API answer with a non-zero errcode.
type Error struct {
	Code    int
	Message string
	API     string
}

func (e *Error) Error() string {
	return fmt.Sprintf("wechat %s: errcode %d: %s", e.API, e.Code, e.Message)
}

// IsCode reports whether err is a WeChat error with one of the codes.
func IsCode(err error, codes ...int) bool {
	var we *Error
	if !errors.As(err, &we) {
		return false
	}
	for _, c := range codes {
		if we.Code == c {
			return true
		}
	}
	return false
}

// Session is what jscode2session answers, without the session_key: xuefa needs no encrypted
// user data, so the key is dropped as soon as it is read and never stored, logged or returned.
type Session struct {
	OpenID  string
	UnionID string
}

// ClientConfig configures a Client.
type ClientConfig struct {
	BaseURL string // https://api.weixin.qq.com
	AppID   string
	Secret  string
	HTTP    *http.Client
	Tokens  TokenCache
	Now     func() time.Time
	// RefreshBefore: a cached token is renewed this long before it expires.
	RefreshBefore time.Duration
}

// Client calls the WeChat server APIs.
type Client struct {
	cfg ClientConfig
	mu  sync.Mutex // one token refresh at a time per process
}

// NewClient builds a client.
func NewClient(cfg ClientConfig) *Client {
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 5 * time.Second}
	}
	if cfg.Tokens == nil {
		cfg.Tokens = NewMemoryTokens()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RefreshBefore == 0 {
		cfg.RefreshBefore = 5 * time.Minute
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Client{cfg: cfg}
}

// Code2Session exchanges a wx.login code for the user's openid.
func (c *Client) Code2Session(ctx context.Context, code string) (*Session, error) {
	q := url.Values{"appid": {c.cfg.AppID}, "secret": {c.cfg.Secret}, "js_code": {code}, "grant_type": {"authorization_code"}}
	var out struct {
		OpenID     string `json:"openid"`
		UnionID    string `json:"unionid"`
		SessionKey string `json:"session_key"`
	}
	if err := c.call(ctx, http.MethodGet, "sns/jscode2session", q, nil, &out); err != nil {
		return nil, err
	}
	if out.OpenID == "" {
		return nil, &Error{API: "sns/jscode2session", Code: CodeInvalidCode, Message: "no openid in answer"}
	}
	return &Session{OpenID: out.OpenID, UnionID: out.UnionID}, nil
}

// SubscribeMessage is one subscribe message to one user.
type SubscribeMessage struct {
	ToUser     string                       `json:"touser"`
	TemplateID string                       `json:"template_id"`
	Page       string                       `json:"page,omitempty"`
	State      string                       `json:"miniprogram_state,omitempty"`
	Lang       string                       `json:"lang,omitempty"`
	Data       map[string]map[string]string `json:"data"`
}

// SendSubscribe sends a subscribe message.
func (c *Client) SendSubscribe(ctx context.Context, m SubscribeMessage) error {
	return c.withToken(ctx, func(token string) error {
		return c.call(ctx, http.MethodPost, "cgi-bin/message/subscribe/send", url.Values{"access_token": {token}}, m, nil)
	})
}

// PhoneNumber exchanges a getPhoneNumber code for the user's (mainland, without country code)
// phone number.
func (c *Client) PhoneNumber(ctx context.Context, code string) (string, error) {
	var out struct {
		PhoneInfo struct {
			PurePhoneNumber string `json:"purePhoneNumber"`
		} `json:"phone_info"`
	}
	err := c.withToken(ctx, func(token string) error {
		return c.call(ctx, http.MethodPost, "wxa/business/getuserphonenumber", url.Values{"access_token": {token}}, map[string]string{"code": code}, &out)
	})
	return out.PhoneInfo.PurePhoneNumber, err
}

// withToken runs fn with the access token, and once more with a forcibly refreshed one when
// WeChat says the token is invalid or expired (another process may have refreshed it).
func (c *Client) withToken(ctx context.Context, fn func(token string) error) error {
	token, err := c.accessToken(ctx, false)
	if err != nil {
		return err
	}
	err = fn(token)
	if !IsCode(err, CodeInvalidToken, CodeTokenExpired) {
		return err
	}
	if token, err = c.accessToken(ctx, true); err != nil {
		return err
	}
	return fn(token)
}

// accessToken returns the cached token, or fetches one through cgi-bin/stable_token when the
// cache is empty, near expiry, or force is set.
func (c *Client) accessToken(ctx context.Context, force bool) (string, error) {
	now := c.cfg.Now()
	if !force {
		if tok, exp, ok, err := c.cfg.Tokens.Get(ctx, c.cfg.AppID); err == nil && ok && now.Add(c.cfg.RefreshBefore).Before(exp) {
			return tok, nil
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !force { // another goroutine may have refreshed while this one waited
		if tok, exp, ok, err := c.cfg.Tokens.Get(ctx, c.cfg.AppID); err == nil && ok && now.Add(c.cfg.RefreshBefore).Before(exp) {
			return tok, nil
		}
	}
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	body := map[string]any{"grant_type": "client_credential", "appid": c.cfg.AppID, "secret": c.cfg.Secret, "force_refresh": force}
	if err := c.call(ctx, http.MethodPost, "cgi-bin/stable_token", nil, body, &out); err != nil {
		return "", err
	}
	if out.AccessToken == "" {
		return "", &Error{API: "cgi-bin/stable_token", Code: CodeSystemBusy, Message: "no access_token in answer"}
	}
	exp := now.Add(time.Duration(out.ExpiresIn) * time.Second)
	if err := c.cfg.Tokens.Set(ctx, c.cfg.AppID, out.AccessToken, exp); err != nil {
		return "", err
	}
	return out.AccessToken, nil
}

// call sends one request and decodes the answer; errcode ≠ 0 becomes an *Error. Transport
// errors are reduced to their cause, because a *url.Error would quote the URL and with it the
// secret or access token in the query.
func (c *Client) call(ctx context.Context, method, api string, q url.Values, in, out any) error {
	u := c.cfg.BaseURL + "/" + api
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("wechat %s: bad request", api)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("wechat %s: %w", api, err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("wechat %s: reading answer: %w", api, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("wechat %s: HTTP %d", api, resp.StatusCode)
	}
	var status struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(raw, &status); err != nil {
		return fmt.Errorf("wechat %s: answer is not JSON", api)
	}
	if status.ErrCode != 0 {
		return &Error{API: api, Code: status.ErrCode, Message: status.ErrMsg}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("wechat %s: decoding answer: %w", api, err)
		}
	}
	return nil
}
