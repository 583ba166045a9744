package integration

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/xuefa/xuefa/internal/platform/apperr"
)

// Resolver resolves a webhook's host name.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

type defaultResolver struct{}

func (defaultResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	return net.DefaultResolver.LookupIPAddr(ctx, host)
}

// blockedNets are ranges a webhook may not reach beyond what net.IP's predicates cover:
// "this network", carrier-grade NAT, IETF protocol assignments, benchmarking, reserved.
var blockedNets = func() []*net.IPNet {
	var out []*net.IPNet
	for _, cidr := range []string{"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15", "240.0.0.0/4", "64:ff9b::/96"} {
		_, n, _ := net.ParseCIDR(cidr)
		out = append(out, n)
	}
	return out
}()

// forbiddenIP reports whether a webhook may not be sent to ip: loopback, link-local (which
// holds the cloud metadata address 169.254.169.254), private (10/8, 172.16/12, 192.168/16,
// fc00::/7), unspecified, multicast and the reserved ranges above.
func forbiddenIP(ip net.IP) bool {
	if ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() ||
		ip.IsPrivate() || ip.IsUnspecified() || ip.IsMulticast() || ip.Equal(net.IPv4bcast) {
		return true
	}
	for _, n := range blockedNets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

func urlError(msg string) error {
	return apperr.Invalid("webhook.url_not_allowed", "回调地址不可用: "+msg, apperr.Field("url", msg))
}

// checkURL validates a webhook URL: http(s), no credentials, and (unless private targets are
// allowed) a host whose every address is public. The dialer checks again at delivery time, so a
// name that later resolves to a private address (DNS rebinding) is still refused.
func (s *Service) checkURL(ctx context.Context, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxWebhookURLLength {
		return "", urlError("须为 1–1000 个字符的 URL")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Hostname() == "" {
		return "", urlError("须为 http 或 https 的绝对地址")
	}
	if u.User != nil {
		return "", urlError("不能包含用户名或密码")
	}
	if u.Fragment != "" {
		return "", urlError("不能包含 #片段")
	}
	if s.Settings.AllowPrivateWebhooks {
		return u.String(), nil
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); ip != nil {
		if forbiddenIP(ip) {
			return "", urlError("不能指向本机、内网、链路本地或保留地址")
		}
		return u.String(), nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := s.Resolver.LookupIPAddr(ctx, host)
	if err != nil || len(addrs) == 0 {
		return "", urlError("无法解析主机名")
	}
	for _, a := range addrs {
		if forbiddenIP(a.IP) {
			return "", urlError("主机名解析到本机、内网、链路本地或保留地址")
		}
	}
	return u.String(), nil
}

var errForbiddenAddress = errors.New("webhook target address is not allowed")

// newWebhookClient sends deliveries: no proxy from the environment, no redirects followed (a
// 3xx is a failed attempt), and a dialer that refuses forbidden addresses unless allowed.
func newWebhookClient(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: timeout}
	if !allowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || forbiddenIP(ip) {
				return fmt.Errorf("%w: %s", errForbiddenAddress, host)
			}
			return nil
		}
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
