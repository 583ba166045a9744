# xuefa developer tasks. CI (.ci/run) uses fmt-check, docs-check and the same test command.

GO ?= go
SHELL := /bin/bash

# Go files gofmt must accept: tracked or new-but-not-ignored, minus swag's generated docs/.
GO_FILES = $(shell git ls-files --cached --others --exclude-standard -- '*.go' ':!:docs/' | while read -r f; do [ -f "$$f" ] && echo "$$f"; done)

.PHONY: run test test-report vet fmt-check docs docs-check build

run:
	$(GO) run ./cmd/xuefa serve

test:
	$(GO) test -race ./...

# The same tests through tools/testreport: package results, failing output, the 20 slowest tests
# and every package's wall time (what CI prints).
test-report:
	set -o pipefail; $(GO) test -race -count=1 -json ./... | $(GO) run ./tools/testreport

vet:
	$(GO) vet ./...

fmt-check:
	@out="$$($(if $(GO_FILES),gofmt -l $(GO_FILES)))"; \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

# Regenerate docs/ (Swagger 2.0 from swag annotations), api/openapi.{yaml,json} (OpenAPI 3) and
# the Go client generated from it (client/xuefaclient/client.gen.go, by oapi-codegen).
# `swag fmt` is deliberately not run: it rewrites source files.
docs:
	$(GO) tool swag init --generalInfo cmd/xuefa/main.go --dir ./ --output docs \
		--outputTypes go,json,yaml --parseInternal --parseDependencyLevel 1 --requiredByDefault
	$(GO) run ./tools/openapi3 -in docs/swagger.json -out-yaml api/openapi.yaml -out-json api/openapi.json
	$(GO) tool oapi-codegen -config client/xuefaclient/oapi-codegen.yaml api/openapi.yaml

# Fails when the committed generated docs (or the generated client) differ from what `make docs`
# produces now.
docs-check: docs
	@git diff --exit-code --stat -- docs api/openapi.yaml api/openapi.json client/xuefaclient || \
		{ echo "docs are stale: run make docs and commit"; exit 1; }
	@untracked="$$(git status --porcelain --untracked-files=all -- docs api client/xuefaclient | grep '^??' || true)"; \
	if [ -n "$$untracked" ]; then echo "$$untracked"; echo "docs are stale: run make docs and commit"; exit 1; fi

build:
	CGO_ENABLED=0 $(GO) build -o bin/xuefa ./cmd/xuefa
