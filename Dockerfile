# syntax=docker/dockerfile:1
#
# docker build --build-arg VERSION=$(git describe --tags --always) -t xuefa .
# docker run -p 8080:8080 -v xuefa-data:/app/data -e XUEFA_... xuefa

# Pinned to go.mod's version: the official image sets GOTOOLCHAIN=local, so an older
# 1.26.x would refuse to build rather than download the toolchain.
ARG GO_VERSION=1.26.8

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src

# Module downloads are cached in their own layer, keyed on go.mod/go.sum only.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download

COPY . .
ARG VERSION=dev
ARG TARGETOS TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/xuefa ./cmd/xuefa \
 && mkdir -p /out/data

# distroless/static: CA certificates, tzdata and /etc/passwd, no shell; runs as uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /app
COPY --from=build /out/xuefa /app/xuefa
COPY configs/ /app/configs/
# The data directory must exist, owned by the runtime user, before it becomes a volume:
# a fresh named volume takes its ownership from here (SQLite database, uploads).
COPY --from=build --chown=65532:65532 /out/data /app/data

ENV XUEFA_MODE=production
USER nonroot:nonroot
EXPOSE 8080
VOLUME /app/data

# No curl/wget in distroless: the binary probes its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/app/xuefa", "healthcheck"]

ENTRYPOINT ["/app/xuefa"]
CMD ["serve"]
