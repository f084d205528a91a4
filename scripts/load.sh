#!/usr/bin/env bash
# The load test of docs/performance.md: a served instance of a generated
# county on each engine, 32 clients for 60 s with 5 % writes, then the same
# with a 20,000-row roster import running and a user of another county
# making refused requests. It fails on any answer 5xx, or if the audit
# chains do not verify or the counts do not agree afterwards.
#
#   scripts/load.sh                      # both engines
#   JIAHE_TEST_ENGINES=sqlite scripts/load.sh
#   JIAHE_LOAD_CLIENTS=64 JIAHE_LOAD_SECONDS=120 JIAHE_LOAD_PERSONS=1000000 scripts/load.sh
#
# PostgreSQL is the server of the tests (JIAHE_TEST_PG, default
# postgres://postgres@127.0.0.1:5432/test).
set -euo pipefail
cd "$(dirname "$0")/.."
nproc | sed 's/^/cores: /'
JIAHE_LOAD=1 exec go test -count=1 -timeout 60m -run '^TestLoad$' -v ./cmd/jiahe 2>&1 | grep -v '^=== '
