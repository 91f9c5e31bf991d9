# Rampart. `make demo` scans the vulnerable testbed; `make test` runs every test.
GO ?= go
BIN := bin/rampart
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/rampart-sec/rampart/internal/cli.version=$(VERSION)

.PHONY: build demo test test-unit vet clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/rampart

# Brings up the testbed (installs PostgreSQL and Flask from Debian if missing),
# scans the vulnerable twin as alice, bob and carol, prints the text report and
# writes report.json. The testbed stays up; stop it with testbed/down.
demo: build
	@bash scripts/demo

# Installs what the tests need, starts the testbed, runs go vet and every test
# with the race detector, and stops the testbed again.
test:
	@bash scripts/test

# Unit tests only: no testbed, no PostgreSQL.
test-unit:
	$(GO) vet ./...
	$(GO) test -race ./...

clean:
	rm -rf bin report.json
