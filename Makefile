# Jiahe — build, run and test. `make test` installs what it needs on a
# fresh Debian machine (Chromium for the browser tests) and runs the whole
# suite against SQLite and PostgreSQL.
export GOPROXY ?= https://proxy.golang.org
# -trimpath: binaries and the build cache do not depend on where the
# checkout lies, so that a fresh clone builds on what an earlier one built.
export GOFLAGS ?= -mod=mod -trimpath
JIAHE_DB ?= sqlite:jiahe.db

.PHONY: build run test test-short test-race deps vet bench bench-eval bench-match fuzz

build:
	@echo "building bin/jiahe (the first build downloads the modules and takes a few minutes)"
	go build -o bin/jiahe ./cmd/jiahe

run: build
	./bin/jiahe --db $(JIAHE_DB) serve --demo

deps:
	./scripts/install-deps.sh

vet:
	go vet ./...

# The packages whose tests take longest start first, so that none of them
# is left running alone at the end.
SLOW_PACKAGES = ./internal/web/ui ./internal/app ./internal/store ./cmd/jiahe ./internal/web/server
test: deps vet
	go test -count=1 -p 2 -timeout 40m $(SLOW_PACKAGES) ./...

test-short:
	go test -short -count=1 ./...

test-race: deps
	go test -race -count=1 -timeout 60m ./...

bench:
	go test -run '^$$' -bench . -benchtime 3x ./internal/...

# Batch evaluation against the engines' own clients reading the same rows
# (docs/performance.md); PERSONS persons, ENGINES "sqlite postgres".
PERSONS ?= 100000
ENGINES ?= sqlite postgres
bench-eval:
	./scripts/bench-eval $(PERSONS) $(ENGINES)

# The acceptance benchmark of cross-department matching (docs/matching.md):
# a county of MATCH_PERSONS, MATCH_ROWS rows of each kind, imported end to
# end on each engine of JIAHE_TEST_ENGINES (default both).
MATCH_PERSONS ?= 1000000
MATCH_ROWS ?= 100000
bench-match:
	JIAHE_BENCH_PERSONS=$(MATCH_PERSONS) JIAHE_BENCH_ROWS=$(MATCH_ROWS) go test ./internal/app -run '^$$' -bench ImportThroughput -benchtime 1x -timeout 180m -v

# Every parser of outside input has a fuzz target; FUZZTIME each.
FUZZTIME ?= 30s
fuzz:
	go test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/idcard/
	go test -run '^$$' -fuzz '^FuzzParseCode$$' -fuzztime $(FUZZTIME) ./internal/region/
	go test -run '^$$' -fuzz '^FuzzParseRoster$$' -fuzztime $(FUZZTIME) ./internal/registry/
	go test -run '^$$' -fuzz '^FuzzTable$$' -fuzztime $(FUZZTIME) ./internal/sheet/
	go test -run '^$$' -fuzz '^FuzzParseCase$$' -fuzztime $(FUZZTIME) ./internal/policy/
	go test -run '^$$' -fuzz '^FuzzValidateRule$$' -fuzztime $(FUZZTIME) ./internal/policy/
	go test -run '^$$' -fuzz '^FuzzParseReturns$$' -fuzztime $(FUZZTIME) ./internal/payment/
	go test -run '^$$' -fuzz '^FuzzCheck$$' -fuzztime $(FUZZTIME) ./internal/textcheck/
	go test -run '^$$' -fuzz '^FuzzCheckPhone$$' -fuzztime $(FUZZTIME) ./internal/registry/
	go test -run '^$$' -fuzz '^FuzzParseRow$$' -fuzztime $(FUZZTIME) ./internal/matching/
	go test -run '^$$' -fuzz '^FuzzParseDate$$' -fuzztime $(FUZZTIME) ./internal/matching/
	go test -run '^$$' -fuzz '^FuzzParseID$$' -fuzztime $(FUZZTIME) ./internal/matching/
	go test -run '^$$' -fuzz '^FuzzNormalizeName$$' -fuzztime $(FUZZTIME) ./internal/matching/
	go test -run '^$$' -fuzz '^FuzzLayout$$' -fuzztime $(FUZZTIME) ./internal/pdf/
	go test -run '^$$' -fuzz '^FuzzParseDays$$' -fuzztime $(FUZZTIME) ./internal/complaint/
	go test -run '^$$' -fuzz '^FuzzParseStepDays$$' -fuzztime $(FUZZTIME) ./internal/stats/
