package wechat

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// TokenCache keeps the access token per appid. With several replicas it must be shared
// (Redis), or each replica's refresh would keep invalidating the others' tokens.
type TokenCache interface {
	Get(ctx context.Context, appID string) (token string, expiresAt time.Time, ok bool, err error)
	Set(ctx context.Context, appID, token string, expiresAt time.Time) error
}

// MemoryTokens is a TokenCache for one replica.
type MemoryTokens struct {
	mu     sync.Mutex
	tokens map[string]memoryToken
}

type memoryToken struct {
	token string
	exp   time.Time
}

// NewMemoryTokens builds an in-process cache.
func NewMemoryTokens() *MemoryTokens { return &MemoryTokens{tokens: map[string]memoryToken{}} }

// Get implements TokenCache.
func (m *MemoryTokens) Get(_ context.Context, appID string) (string, time.Time, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[appID]
	return t.token, t.exp, ok, nil
}

// Set implements TokenCache.
func (m *MemoryTokens) Set(_ context.Context, appID, token string, exp time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tokens[appID] = memoryToken{token: token, exp: exp}
	return nil
}

// RedisTokens is a TokenCache shared by every replica through Redis.
type RedisTokens struct {
	client *redis.Client
	prefix string
	now    func() time.Time
}

// NewRedisTokens builds a Redis-backed cache; keys are prefix + appid.
func NewRedisTokens(client *redis.Client, prefix string, now func() time.Time) *RedisTokens {
	return &RedisTokens{client: client, prefix: prefix, now: now}
}

// Get implements TokenCache. The value is "unix-expiry token".
func (r *RedisTokens) Get(ctx context.Context, appID string) (string, time.Time, bool, error) {
	v, err := r.client.Get(ctx, r.prefix+appID).Result()
	if errors.Is(err, redis.Nil) {
		return "", time.Time{}, false, nil
	}
	if err != nil {
		return "", time.Time{}, false, err
	}
	exp, token, found := strings.Cut(v, " ")
	sec, perr := strconv.ParseInt(exp, 10, 64)
	if !found || perr != nil {
		return "", time.Time{}, false, nil
	}
	return token, time.Unix(sec, 0).UTC(), true, nil
}

// Set implements TokenCache; the key expires with the token.
func (r *RedisTokens) Set(ctx context.Context, appID, token string, exp time.Time) error {
	ttl := exp.Sub(r.now())
	if ttl <= 0 {
		return nil
	}
	return r.client.Set(ctx, r.prefix+appID, strconv.FormatInt(exp.Unix(), 10)+" "+token, ttl).Err()
}
