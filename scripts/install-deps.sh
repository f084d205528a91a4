#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine: Go modules
# through the module proxy, Chromium for the browser tests, poppler-utils
# (pdftotext, pdfinfo, pdftoppm) and zbar-tools (zbarimg) to read the
# printed PDFs back, and a running PostgreSQL at 127.0.0.1:5432 with
# database "test".
set -euo pipefail
export GOPROXY="${GOPROXY:-https://proxy.golang.org}"
go mod download
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
	else
		echo "missing: ${missing[*]}: install them (apt-get install ${missing[*]}) for the browser and PDF tests" >&2
	fi
fi
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
	if command -v pg_ctlcluster >/dev/null 2>&1; then
		pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
	fi
fi
