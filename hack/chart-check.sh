#!/usr/bin/env bash
# Checks the Helm chart in charts/skillmatrix-operator:
#
#   1. its crds/ and files/ are up to date with config/ (hack/sync-chart.sh --check);
#   2. `helm lint --strict` passes with the default values and with
#      ci/all-options-values.yaml;
#   3. `helm template` renders with both;
#   4. every values file in hack/testdata/chart-bad-values/ is refused by the
#      chart's values.schema.json, by `helm template` and by `helm lint`;
#   5. a real kube-apiserver (envtest) accepts every rendered object, of both
#      variants and of config/default, with a server-side dry run, and the
#      chart still matches config/ (go test ./test/chart/).
#
# Installs helm into bin/ when it is missing (hack/install-helm.sh) and
# kustomize through `make kustomize`. Set CHART_CHECK_SKIP_GO_TEST=true to skip
# step 5 (e.g. when `go test ./...` runs test/chart anyway).
set -euo pipefail
cd "$(dirname "$0")/.."

chart=charts/skillmatrix-operator
all_options=$chart/ci/all-options-values.yaml
bad_dir=hack/testdata/chart-bad-values

helm=$(hack/install-helm.sh)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step() { printf '\n==> %s\n' "$*"; }

step "chart in sync with config/"
hack/sync-chart.sh --check

step "helm lint (default values, all options)"
"$helm" lint --strict "$chart"
"$helm" lint --strict "$chart" --values "$all_options"

step "helm template (default values, all options)"
"$helm" template skillmatrix-operator "$chart" --namespace skillmatrix-system --include-crds \
  >"$tmp/default.yaml"
"$helm" template all-options "$chart" --namespace skillmatrix-system --include-crds \
  --values "$all_options" >"$tmp/all-options.yaml"
for f in default all-options; do
  printf '%-12s %3d objects: %s\n' "$f" "$(grep -c '^kind:' "$tmp/$f.yaml")" \
    "$(grep '^kind:' "$tmp/$f.yaml" | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $3; sep=", "}')"
done

step "bad values are refused by values.schema.json"
shopt -s nullglob
bad_files=("$bad_dir"/*.yaml)
if (( ${#bad_files[@]} == 0 )); then
  echo "no values files in $bad_dir" >&2
  exit 1
fi
failed=0
for f in "${bad_files[@]}"; do
  for cmd in template lint; do
    if [[ $cmd == template ]]; then
      args=(template bad "$chart" --values "$f")
    else
      args=(lint "$chart" --values "$f")
    fi
    if "$helm" "${args[@]}" >"$tmp/out" 2>&1; then
      echo "FAIL  helm $cmd accepted $f" >&2
      failed=1
    elif ! grep -q "don't meet the specifications of the schema" "$tmp/out"; then
      echo "FAIL  helm $cmd refused $f, but not because of the schema:" >&2
      sed 's/^/      /' "$tmp/out" >&2
      failed=1
    else
      printf 'ok    helm %-8s refuses %s: %s\n' "$cmd" "$(basename "$f")" \
        "$(grep -m1 -- "- at '" "$tmp/out" | sed 's/^[[:space:]]*- //')"
    fi
  done
done
if (( failed )); then
  exit 1
fi

if [[ ${CHART_CHECK_SKIP_GO_TEST:-false} == true ]]; then
  step "server-side dry run skipped (CHART_CHECK_SKIP_GO_TEST=true)"
  exit 0
fi

step "server-side dry run against envtest and drift check (go test ./test/chart/)"
make --no-print-directory kustomize >/dev/null
assets=$(hack/envtest-assets.sh)
if ! KUBEBUILDER_ASSETS=$assets go test -count=1 -v ./test/chart/ >"$tmp/go-test.log" 2>&1; then
  cat "$tmp/go-test.log" >&2
  exit 1
fi
grep -E '^(--- |ok)|^\s+(--- |dryrun_test\.go)' "$tmp/go-test.log"
