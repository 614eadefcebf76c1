#!/usr/bin/env bash
# Make sure the Debian packages some tests need are installed, installing the
# missing ones with apt-get.
#
# Usage: hack/ensure-packages.sh NAME...
#
# NAME is a command (chromium, git, pdftotext, ssh-keygen, gpg, npm), a Debian package without a
# command (fonts-droid-fallback), or COMMAND=PACKAGE for a command whose
# package the table below does not know. A command is present when
# `command -v` finds it; a package when dpkg lists it as installed.
# `apt-get update` runs once, and only when something is missing.
#
# When a package cannot be installed (no apt-get, not root and no sudo, or
# apt-get fails) the script warns and exits 0, so the tests that need it skip
# with their own message; under CI=true it fails instead, since CI must run
# every test.
set -euo pipefail

# The Debian package of each command the tests use.
declare -A package_of=(
  [chromium]=chromium
  [git]=git
  [pdftotext]=poppler-utils
  [pdfinfo]=poppler-utils
  [pdffonts]=poppler-utils
  [fc-list]=fontconfig
  [ssh-keygen]=openssh-client
  [gpg]=gnupg
  [npm]=npm
)

fail() {
  echo "ensure-packages: $*" >&2
  if [[ "${CI:-}" == "true" ]]; then
    exit 1
  fi
  echo "ensure-packages: continuing; the tests that need these packages will skip (under CI=true this is an error)" >&2
  exit 0
}

installed() { # PACKAGE
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

missing=()
for name in "$@"; do
  cmd=$name pkg=""
  if [[ $name == *=* ]]; then
    cmd=${name%%=*} pkg=${name#*=}
  elif [[ -n "${package_of[$name]:-}" ]]; then
    pkg=${package_of[$name]}
  fi
  if [[ -n $pkg || $name != *-* ]] && command -v "$cmd" >/dev/null 2>&1; then
    continue # a command, present
  fi
  if [[ -z $pkg ]]; then
    pkg=$name # a package without a command, or a command named like its package
  fi
  if command -v dpkg-query >/dev/null 2>&1 && installed "$pkg"; then
    continue
  fi
  if [[ " ${missing[*]} " != *" $pkg "* ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || fail "missing ${missing[*]}, and there is no apt-get to install them with"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null ||
    fail "missing ${missing[*]}; install them as root: apt-get install ${missing[*]}"
  sudo=(sudo -n)
fi

echo "ensure-packages: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq || fail "apt-get update failed"
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
  fail "apt-get install ${missing[*]} failed"
