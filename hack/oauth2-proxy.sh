#!/usr/bin/env bash
# Prints the path of the pinned oauth2-proxy that make demo and the portal's
# browser specs put in front of the portal, installing it into bin/ with go
# install when it is missing (about 30 s on 2 cores with a warm module cache).
#
#   OAUTH2_PROXY_VERSION  the version (v7.15.6)
#   LOCALBIN              where to install it (bin/ of the clone)
set -euo pipefail
cd "$(dirname "$0")/.."
version=${OAUTH2_PROXY_VERSION:-v7.15.6}
bin=${LOCALBIN:-$PWD/bin}
target="$bin/oauth2-proxy-$version"
if [[ ! -x $target ]]; then
  mkdir -p "$bin"
  echo "Installing oauth2-proxy $version into $bin (go install)" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  GOBIN="$tmp" go install "github.com/oauth2-proxy/oauth2-proxy/v7@$version" >&2
  mv "$tmp/oauth2-proxy" "$target"
fi
ln -sfn "$(basename "$target")" "$bin/oauth2-proxy"
echo "$bin/oauth2-proxy"
