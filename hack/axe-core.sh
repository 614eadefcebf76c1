#!/usr/bin/env bash
# Prints the path of axe.min.js of the pinned axe-core, which the portal's
# browser specs run on every page kind (no serious or critical violation
# allowed), installing it from the npm registry into a cache outside the
# clone when it is missing.
#
#   AXE_CORE_VERSION       the version (4.10.3)
#   SKILLMATRIX_CACHE_DIR  the cache root (${XDG_CACHE_HOME:-~/.cache}/skillmatrix-operator)
set -euo pipefail
version=${AXE_CORE_VERSION:-4.10.3}
cache=${SKILLMATRIX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/skillmatrix-operator}
dir="$cache/axe-core-$version"
file="$dir/node_modules/axe-core/axe.min.js"
if [[ ! -s $file ]]; then
  if ! command -v npm >/dev/null; then
    echo "npm is needed to install axe-core $version (Debian: apt-get install npm)" >&2
    exit 1
  fi
  echo "Installing axe-core $version into $dir (npm)" >&2
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-audit --no-fund --ignore-scripts --silent "axe-core@$version" >&2
fi
echo "$file"
