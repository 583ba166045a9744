package integration

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestForbiddenIP(t *testing.T) {
	for _, ip := range []string{"127.0.0.1", "127.8.8.8", "::1", "169.254.169.254", "fe80::1", "10.0.0.1", "172.16.0.1", "172.31.255.255",
		"192.168.0.1", "fc00::1", "fd12:3456::1", "0.0.0.0", "::", "224.0.0.1", "ff02::1", "255.255.255.255", "100.64.0.1", "::ffff:10.0.0.1"} {
		assert.True(t, forbiddenIP(net.ParseIP(ip)), ip)
	}
	for _, ip := range []string{"93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "114.114.114.114"} {
		assert.False(t, forbiddenIP(net.ParseIP(ip)), ip)
	}
}

func TestBackoffDoublesAndCaps(t *testing.T) {
	base := 30 * time.Second
	assert.Equal(t, 30*time.Second, backoff(base, 1))
	assert.Equal(t, time.Minute, backoff(base, 2))
	assert.Equal(t, 2*time.Minute, backoff(base, 3))
	assert.Equal(t, 6*time.Hour, backoff(base, 40))
}

func TestSignFormat(t *testing.T) {
	sig := Sign("whsec_test", time.Unix(1700000000, 0), []byte(`{"a":1}`))
	// printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
	assert.Equal(t, "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789", sig)
}
