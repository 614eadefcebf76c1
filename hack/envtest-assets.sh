#!/usr/bin/env bash
# Prints the path of a directory that holds kube-apiserver and etcd for envtest
# (the value for KUBEBUILDER_ASSETS). Progress goes to stderr, the path alone to
# stdout, so callers can write KUBEBUILDER_ASSETS="$(hack/envtest-assets.sh)".
#
# Fallback order, cheapest first:
#   1. an existing KUBEBUILDER_ASSETS that holds both binaries;
#   2. the cache outside the clone, keyed by the Kubernetes and etcd versions;
#   3. a setup-envtest download, where the network allows it;
#   4. building kube-apiserver and etcd from Go modules in hack/envtest-tools,
#      a module of its own so the operator's go.mod stays clean.
#
# Environment:
#   SKILLMATRIX_CACHE_DIR       cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/skillmatrix-operator)
#   ENVTEST_SKIP_DOWNLOAD=true  skip step 3 (useful offline: it saves the attempt)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/hack/envtest-tools"

log() { printf 'envtest-assets: %s\n' "$*" >&2; }

# The versions come from the tools module, so bumping them is a one-file change.
k8s_version=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit}' "$tools/go.mod")
etcd_version=$(awk '$1 == "go.etcd.io/etcd/server/v3" && $2 ~ /^v/ {print $2; exit}' "$tools/go.mod")
if [[ -z "$k8s_version" || -z "$etcd_version" ]]; then
	log "cannot read the Kubernetes or etcd version from $tools/go.mod"
	exit 1
fi

has_assets() { [[ -n "$1" && -x "$1/kube-apiserver" && -x "$1/etcd" ]]; }

if has_assets "${KUBEBUILDER_ASSETS:-}"; then
	log "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
	echo "$KUBEBUILDER_ASSETS"
	exit 0
fi

cache_root=${SKILLMATRIX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/skillmatrix-operator}
assets="$cache_root/envtest/k8s-${k8s_version#v}-etcd-${etcd_version#v}"

if has_assets "$assets"; then
	log "using cached binaries in $assets"
	echo "$assets"
	exit 0
fi

mkdir -p "$cache_root/envtest"
# Two concurrent callers (make test and make demo, say) must not build twice
# or see a half-written binary.
exec 9>"$cache_root/envtest/.lock"
if command -v flock >/dev/null 2>&1; then
	flock 9
fi
if has_assets "$assets"; then
	echo "$assets"
	exit 0
fi

staging=$(mktemp -d "$cache_root/envtest/.staging.XXXXXX")
trap 'rm -rf "$staging"' EXIT

try_download() {
	[[ "${ENVTEST_SKIP_DOWNLOAD:-}" == "true" ]] && return 1
	local minor
	minor=$(echo "${k8s_version#v}" | cut -d. -f1,2)
	log "trying a setup-envtest download of Kubernetes $minor.x"
	local bin="$staging/setup-envtest-bin"
	GOBIN="$bin" timeout 300 go install sigs.k8s.io/controller-runtime/tools/setup-envtest@v0.25.1 >&2 || return 1
	local dir
	dir=$(timeout 300 "$bin/setup-envtest" use "$minor.x" --bin-dir "$staging/download" -p path 2>/dev/null) || return 1
	has_assets "$dir" || return 1
	cp "$dir/kube-apiserver" "$dir/etcd" "$staging/"
}

build_from_source() {
	log "building etcd $etcd_version and kube-apiserver $k8s_version from Go modules (about 10 minutes cold on 2 cores)"
	(
		cd "$tools"
		go build -o "$staging/etcd" go.etcd.io/etcd/server/v3
		go build -o "$staging/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
	) >&2
}

if ! try_download; then
	log "download not available; building from source"
	build_from_source
fi

mkdir -p "$assets"
mv "$staging/kube-apiserver" "$staging/etcd" "$assets/"
log "cached in $assets"
echo "$assets"
