package ratelimit

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/platform/clock"
)

func exerciseLimiter(t *testing.T, l Limiter, advance func(time.Duration)) {
	ctx := context.Background()
	key := "login:" + uuid.NewString()
	for i := 0; i < 3; i++ {
		ok, _, err := l.Allow(ctx, key, 3, time.Second)
		require.NoError(t, err)
		require.True(t, ok, "hit %d within the limit", i+1)
	}
	ok, retry, err := l.Allow(ctx, key, 3, time.Second)
	require.NoError(t, err)
	require.False(t, ok, "fourth hit is over the limit")
	require.Greater(t, retry, time.Duration(0))

	other, _, err := l.Allow(ctx, key+"-other", 3, time.Second)
	require.NoError(t, err)
	require.True(t, other, "keys are counted separately")

	advance(1100 * time.Millisecond)
	ok, _, err = l.Allow(ctx, key, 3, time.Second)
	require.NoError(t, err)
	require.True(t, ok, "a new window allows again")
}

func TestMemoryLimiter(t *testing.T) {
	c := clock.NewFake(time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC))
	exerciseLimiter(t, NewMemory(c.Now), c.Advance)
}

// TestRedisLimiter runs against the Redis that CI starts; XUEFA_TEST_REDIS_ADDR names it.
func TestRedisLimiter(t *testing.T) {
	addr := os.Getenv("XUEFA_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("XUEFA_TEST_REDIS_ADDR not set; .ci/run sets it")
	}
	client := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = client.Close() })
	require.NoError(t, client.Ping(context.Background()).Err())
	exerciseLimiter(t, NewRedis(client, "xuefa-test:"), func(d time.Duration) { time.Sleep(d) })
}
