#!/usr/bin/env bash
# Prints the path of a directory that holds Flux's source-controller and
# kustomize-controller, built from their release modules, and Flux's CRDs
# (crds/), for the Flux end-to-end test (make test-flux). Progress goes to
# stderr, the path alone to stdout:
#
#   FLUX_ASSETS="$(hack/flux-assets.sh)"
#
# Order, cheapest first:
#   1. an existing FLUX_ASSETS that holds both binaries and crds/;
#   2. the cache outside the clone, keyed by both versions (as
#      hack/envtest-assets.sh caches kube-apiserver and etcd);
#   3. building both from the Go module proxy: `go mod download` of each
#      controller's module at its release version, then, in a copy of the
#      module, dropping only the replace directives that point into the
#      repository (./api: a module of its own, not in the downloaded zip) and
#      requiring those modules at the version go.mod names. Every other
#      replace stays (source-controller's go-digest pseudo-version, the
#      kustomize pins). The CRDs come from the modules' config/crd/bases.
#
# Environment:
#   SKILLMATRIX_CACHE_DIR   cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/skillmatrix-operator)
#   FLUX_SOURCE_CONTROLLER_VERSION, FLUX_KUSTOMIZE_CONTROLLER_VERSION  override the pinned versions
set -euo pipefail

source_version=${FLUX_SOURCE_CONTROLLER_VERSION:-v1.9.1}
kustomize_version=${FLUX_KUSTOMIZE_CONTROLLER_VERSION:-v1.9.4}

log() { printf 'flux-assets: %s\n' "$*" >&2; }

has_assets() {
	[[ -n "$1" && -x "$1/source-controller" && -x "$1/kustomize-controller" && -d "$1/crds" ]]
}

if has_assets "${FLUX_ASSETS:-}"; then
	log "using FLUX_ASSETS=$FLUX_ASSETS"
	echo "$FLUX_ASSETS"
	exit 0
fi

cache_root=${SKILLMATRIX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/skillmatrix-operator}
assets="$cache_root/flux/source-controller-${source_version#v}-kustomize-controller-${kustomize_version#v}"

if has_assets "$assets"; then
	log "using cached binaries in $assets"
	echo "$assets"
	exit 0
fi

mkdir -p "$cache_root/flux"
exec 9>"$cache_root/flux/.lock"
if command -v flock >/dev/null 2>&1; then
	flock 9
fi
if has_assets "$assets"; then
	echo "$assets"
	exit 0
fi

staging=$(mktemp -d "$cache_root/flux/.staging.XXXXXX")
trap 'chmod -R u+w "$staging" 2>/dev/null; rm -rf "$staging"' EXIT
mkdir -p "$staging/crds"

# build MODULE VERSION BINARY: download the module, make its copy buildable
# outside its repository, build the binary into $staging and copy its CRDs.
build() {
	local module=$1 version=$2 binary=$3
	local start dir src
	start=$(date +%s)
	log "downloading $module@$version from the Go module proxy"
	dir=$(GOWORK=off GOFLAGS=-mod=mod go mod download -json "$module@$version" |
		awk -F'"' '$2 == "Dir" {print $4; exit}')
	if [[ -z "$dir" || ! -f "$dir/go.mod" ]]; then
		log "go mod download $module@$version gave no module directory"
		return 1
	fi
	src="$staging/src/$binary"
	mkdir -p "$src"
	cp -R "$dir/." "$src/"
	chmod -R u+w "$src"
	(
		cd "$src"
		export GOWORK=off GOFLAGS=-mod=mod
		# Replaces whose target is a path inside the repository: NEW is ./api or ../x.
		go mod edit -json | awk '
			/"Replace": \[/ { inreplace = 1 }
			inreplace && /"Old": \{/ { side = "old" }
			inreplace && /"New": \{/ { side = "new" }
			inreplace && /"Path":/ {
				gsub(/[",]/, "", $2)
				if (side == "old") old = $2; else if ($2 ~ /^\.\.?\//) print old
			}
		' | sort -u | while read -r path; do
			required=$(go mod edit -json | awk -v p="$path" '
				/"Require": \[/ { inrequire = 1 }
				/"Replace": \[/ { inrequire = 0 }
				inrequire && $0 ~ "\"Path\": \"" p "\"" { want = 1; next }
				want && /"Version":/ { gsub(/[",]/, "", $2); print $2; exit }
			')
			log "  dropping replace $path => (in the repository); requiring $path ${required:-$version}"
			go mod edit -dropreplace="$path" -require="$path@${required:-$version}"
		done
		log "building $binary (go build -trimpath; this pulls large SDKs the first time)"
		CGO_ENABLED=0 go build -trimpath -o "$staging/$binary" .
	) >&2
	cp "$src"/config/crd/bases/*.yaml "$staging/crds/"
	log "built $binary $version in $(($(date +%s) - start))s"
}

total=$(date +%s)
build github.com/fluxcd/source-controller "$source_version" source-controller
build github.com/fluxcd/kustomize-controller "$kustomize_version" kustomize-controller

mkdir -p "$assets"
mv "$staging/source-controller" "$staging/kustomize-controller" "$staging/crds" "$assets/"
log "cached in $assets (cold build: $(($(date +%s) - total))s)"
echo "$assets"
