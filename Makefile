# Jiahe — build, run and test. `make test` installs what it needs on a
# fresh Debian machine (Chromium for the browser tests) and runs the whole
# suite against SQLite and PostgreSQL.
export GOPROXY ?= https://proxy.golang.org
export GOFLAGS ?= -mod=mod
JIAHE_DB ?= sqlite:jiahe.db

.PHONY: build run test test-short deps vet bench fuzz

build:
	go build -o bin/jiahe ./cmd/jiahe

run: build
	./bin/jiahe --db $(JIAHE_DB) serve --demo

deps:
	./scripts/install-deps.sh

vet:
	go vet ./...

test: deps vet
	go test -count=1 -timeout 40m ./...

test-short:
	go test -short -count=1 ./...

bench:
	go test -run '^$$' -bench . -benchtime 3x ./internal/...

fuzz:
	go test -run '^$$' -fuzz FuzzParse -fuzztime 30s ./internal/idcard/
