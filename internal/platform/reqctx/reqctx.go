// Package reqctx carries facts about the current request (id, client IP, user agent) in a
// context.Context, so services can record them (audit, sessions) without knowing HTTP.
package reqctx

import "context"

// Info describes the request being served.
type Info struct {
	RequestID string
	IP        string
	UserAgent string
}

type infoKey struct{}

// With returns ctx carrying info.
func With(ctx context.Context, info Info) context.Context {
	return context.WithValue(ctx, infoKey{}, info)
}

// From returns the request info in ctx (zero when absent, e.g. in CLI commands).
func From(ctx context.Context) Info {
	info, _ := ctx.Value(infoKey{}).(Info)
	return info
}
