#!/usr/bin/env bash
# Installs helm into bin/ (as bin/helm-<version> with the symlink bin/helm, the
# Makefile's layout for tools) unless that version is there already, and
# prints the path of bin/helm. Only Go and the Go module proxy are needed.
#
#   HELM_VERSION  the helm release to install (default v4.3.1)
set -euo pipefail
cd "$(dirname "$0")/.."

version=${HELM_VERSION:-v4.3.1}
bin=$PWD/bin
link=$bin/helm
target=$bin/helm-$version

if [[ ! -x $target || "$(readlink -- "$link" 2>/dev/null)" != "$target" ]]; then
  if [[ ! -x $target ]]; then
    echo "Downloading helm.sh/helm/v4/cmd/helm@$version" >&2
    mkdir -p "$bin"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    # The version is stamped in by the linker, as helm's own release build does;
    # without it helm reports a development version.
    GOBIN=$tmp go install \
      -ldflags "-X helm.sh/helm/v4/internal/version.version=$version" \
      "helm.sh/helm/v4/cmd/helm@$version"
    mv "$tmp/helm" "$target"
  fi
  ln -sf "$target" "$link"
fi
echo "$link"
