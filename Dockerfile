# syntax=docker/dockerfile:1
# Rampart in a container:
#   docker build --build-arg VERSION=$(git describe --tags --always) -t rampart .
#   docker run --rm rampart --version
#   docker run --rm --network host -v "$PWD:/work" --user "$(id -u):$(id -g)" rampart code . -f sarif -o rampart.sarif
# Base images are pinned to a Debian release and a Go minor version; a release
# pipeline should pin their digests too (Renovate or Dependabot keep them fresh).

FROM golang:1.26-bookworm AS build
# The golang image has gcc and libc6-dev: cgo builds tree-sitter (rampart code).
ENV CGO_ENABLED=1 GOTOOLCHAIN=local
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags "-s -w -X github.com/rampart-sec/rampart/internal/cli.version=${VERSION}" -o /out/rampart ./cmd/rampart

# glibc, as the builder's (cgo links against it), and CA certificates for
# HTTPS targets; nothing else.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin rampart \
    && mkdir /work && chown rampart:rampart /work
COPY --from=build /out/rampart /usr/local/bin/rampart
USER 10001:10001
WORKDIR /work
ENTRYPOINT ["rampart"]
CMD ["--help"]
