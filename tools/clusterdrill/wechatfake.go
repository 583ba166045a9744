package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/xuefa/xuefa/internal/wechat/wechatfake"
)

// fakeAPIs are the WeChat server APIs the fake speaks; /_drill/calls counts each.
var fakeAPIs = []string{"sns/jscode2session", "cgi-bin/stable_token", "cgi-bin/message/subscribe/send", "wxa/business/getuserphonenumber"}

// wechatFake serves internal/wechat/wechatfake on a loopback address until SIGTERM or SIGINT:
// the cluster's replicas run in production mode, which refuses wechat.mode fake, so cluster.sh
// starts this and points wechat.base_url (mode live) at it. Besides the WeChat APIs it answers
// GET /_drill/sent (the subscribe messages accepted) and GET /_drill/calls (calls per API), which
// the journey drill reads, and GET /_drill/ready.
//
//	go run ./tools/clusterdrill wechat-fake -addr 127.0.0.1:8099
func wechatFake(args []string) error {
	fs := flag.NewFlagSet("wechat-fake", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:8099", "listen address")
	_ = fs.Parse(args)

	fake := wechatfake.New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_drill/ready", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /_drill/sent", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(fake.Sent())
	})
	mux.HandleFunc("GET /_drill/calls", func(w http.ResponseWriter, _ *http.Request) {
		calls := map[string]int{}
		for _, api := range fakeAPIs {
			calls[api] = fake.Calls(api)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(calls)
	})
	mux.Handle("/", fake)

	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	fmt.Printf("wechat-fake: serving the fake WeChat API on http://%s\n", *addr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
