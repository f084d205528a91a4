#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine: Go modules
# through the module proxy, Chromium for the browser tests, and a running
# PostgreSQL at 127.0.0.1:5432 with database "test".
set -euo pipefail
export GOPROXY="${GOPROXY:-https://proxy.golang.org}"
go mod download
if ! command -v chromium >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
	else
		echo "chromium is missing: install it (apt-get install chromium) for the browser tests" >&2
	fi
fi
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
	if command -v pg_ctlcluster >/dev/null 2>&1; then
		pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
	fi
fi
