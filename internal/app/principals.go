package app

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/xuefa/xuefa/internal/account"
)

// principalChannel carries principal-cache drops between replicas.
const principalChannel = "xuefa:principals"

// cachePrincipals turns on the account store's principal cache (auth.principal_cache_ttl).
// With Redis, a drop on one replica reaches the others through pub/sub; the subscription is
// confirmed before the app serves, so no drop is missed from the first request on.
func (a *App) cachePrincipals(accounts *account.Store) error {
	cfg := a.Config.Auth
	if a.Redis == nil {
		accounts.CachePrincipals(cfg.PrincipalCacheTTL.Std(), cfg.PrincipalCacheSize, nil)
		return nil
	}
	forget := accounts.CachePrincipals(cfg.PrincipalCacheTTL.Std(), cfg.PrincipalCacheSize, redisBus{a.Redis})
	sub := a.Redis.Subscribe(context.Background(), principalChannel)
	if _, err := sub.Receive(context.Background()); err != nil {
		_ = sub.Close()
		return err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for msg := range sub.Channel() {
			forget(msg.Payload)
		}
	}()
	a.stopBus = func() {
		_ = sub.Close()
		<-done
	}
	return nil
}

// redisBus publishes principal-cache drops to the other replicas.
type redisBus struct{ client *redis.Client }

// Publish implements account.PrincipalBus. A failed publish is not fatal: the other replicas'
// entries expire within the TTL.
func (b redisBus) Publish(ctx context.Context, message string) {
	_ = b.client.Publish(ctx, principalChannel, message).Err()
}
