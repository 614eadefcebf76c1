#!/usr/bin/env bash
# Prints the path of a mailpit binary (github.com/axllent/mailpit: an SMTP
# server with an HTTP API), which the notification tests and `make demo` use
# to receive the operator's email. Progress goes to stderr, the path alone to
# stdout, so callers can write MAILPIT="$(hack/mailpit.sh)".
#
# In order:
#   1. an existing MAILPIT that is executable;
#   2. the cache outside the clone, keyed by the version:
#      ${SKILLMATRIX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/skillmatrix-operator}/mailpit/<version>/mailpit
#   3. a pinned `go install` into that cache (about 30 s with a warm module
#      cache on 2 cores; mailpit is pure Go, no cgo).
set -euo pipefail

MAILPIT_VERSION=${MAILPIT_VERSION:-v1.33.1}

log() { printf 'mailpit: %s\n' "$*" >&2; }

if [[ -n "${MAILPIT:-}" && -x "$MAILPIT" ]]; then
	echo "$MAILPIT"
	exit 0
fi

cache_root=${SKILLMATRIX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/skillmatrix-operator}
dir="$cache_root/mailpit/$MAILPIT_VERSION"
if [[ -x "$dir/mailpit" ]]; then
	echo "$dir/mailpit"
	exit 0
fi

mkdir -p "$cache_root/mailpit"
exec 9>"$cache_root/mailpit/.lock"
if command -v flock >/dev/null 2>&1; then
	flock 9
fi
if [[ -x "$dir/mailpit" ]]; then
	echo "$dir/mailpit"
	exit 0
fi
staging=$(mktemp -d "$cache_root/mailpit/.staging.XXXXXX")
trap 'rm -rf "$staging"' EXIT
log "installing github.com/axllent/mailpit@$MAILPIT_VERSION"
# Its own module graph: the operator's go.mod stays as it is.
(cd "$staging" && GOFLAGS=-mod=mod GOBIN="$staging/bin" CGO_ENABLED=0 go install "github.com/axllent/mailpit@$MAILPIT_VERSION") >&2
mkdir -p "$dir"
mv "$staging/bin/mailpit" "$dir/mailpit"
echo "$dir/mailpit"
