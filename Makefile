# Image URL to use all building/pushing image targets
IMG ?= controller:latest
# YEAR is the year in generated file headers; fixed so regeneration leaves no diff.
YEAR ?= 2026

# Get the currently used golang install path (in GOPATH/bin, unless GOBIN is set)
ifeq (,$(shell go env GOBIN))
GOBIN=$(shell go env GOPATH)/bin
else
GOBIN=$(shell go env GOBIN)
endif

# CONTAINER_TOOL defines the container tool to be used for building images.
# Be aware that the target commands are only tested with Docker which is
# scaffolded by default. However, you might want to replace it to use other
# tools. (i.e. podman)
CONTAINER_TOOL ?= docker

# Setting SHELL to bash allows bash commands to be executed by recipes.
# Options are set to exit when a recipe line exits non-zero or a piped command fails.
SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec

.PHONY: all
all: build

##@ General

# The help target prints out all targets with their descriptions organized
# beneath their categories. The categories are represented by '##@' and the
# target descriptions by '##'. The awk command is responsible for reading the
# entire set of makefiles included in this invocation, looking for lines of the
# file as xyz: ## something, and then pretty-format the target and help. Then,
# if there's a line with ##@ something, that gets pretty-printed as a category.
# More info on the usage of ANSI control characters for terminal formatting:
# https://en.wikipedia.org/wiki/ANSI_escape_code#SGR_parameters
# More info on the awk command:
# http://linuxcommand.org/lc3_adv_awk.php

.PHONY: help
help: ## Display this help.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-15s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: controller-gen ## Generate WebhookConfiguration, ClusterRole and CustomResourceDefinition objects.
	"$(CONTROLLER_GEN)" rbac:roleName=manager-role crd webhook paths="./..." output:crd:artifacts:config=config/crd/bases

.PHONY: generate
generate: controller-gen ## Generate code containing DeepCopy, DeepCopyInto, and DeepCopyObject method implementations.
	"$(CONTROLLER_GEN)" object:headerFile="hack/boilerplate.go.txt",year=$(YEAR) paths="./..."

.PHONY: fmt
fmt: ## Run go fmt against code.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet against code.
	go vet ./...

# Everything CI checks, in the order that fails fastest.
.PHONY: test
test: verify-generated chart-sync-check fmt-check vet lint chart-check krew-check test-unit ## Run every check and test (what CI runs).

.PHONY: verify-generated
verify-generated: manifests generate ## Fail if generated files (CRDs, RBAC, deepcopy) differ from what is committed.
	@if [ -n "$$(git status --porcelain -- api config)" ]; then \
		echo "Generated files are out of date; run 'make manifests generate' and commit:"; \
		git status --porcelain -- api config; git --no-pager diff --stat -- api config; exit 1; \
	fi

.PHONY: fmt-check
fmt-check: ## Fail if any Go file is not gofmt-formatted.
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

.PHONY: chart-sync
chart-sync: manifests ## Copy CRDs, generated manager RBAC, admission policy and user ClusterRoles from config/ into the Helm chart.
	hack/sync-chart.sh

.PHONY: chart-sync-check
chart-sync-check: ## Fail if the Helm chart's CRDs, manager rules, admission policy or user ClusterRoles differ from config/.
	hack/sync-chart.sh --check

.PHONY: chart-check
chart-check: helm kustomize envtest-assets ## Lint and render the Helm chart, refuse bad values (the envtest dry run is in test-unit).
	CHART_CHECK_SKIP_GO_TEST=true hack/chart-check.sh

.PHONY: envtest-assets
envtest-assets: ## Provide kube-apiserver and etcd for envtest (cached outside the clone).
	@hack/envtest-assets.sh >/dev/null

.PHONY: mailpit
mailpit: ## Provide mailpit, the SMTP server with an HTTP API the notification tests and the demo mail to (pinned go install, cached outside the clone).
	@hack/mailpit.sh >/dev/null

# Debian packages the tests need, as commands or package names (see
# hack/ensure-packages.sh): Chromium for the level calculator's browser test
# in internal/render, a CJK TrueType font for its screenshots and for the
# zh-CN PDF of internal/render/pdf, pdftotext/pdffonts (poppler-utils),
# which that PDF's test reads it back with, fc-list (fontconfig), which the
# Chromium PDF engine asks which characters the fonts cover, and ssh-keygen
# (openssh-client) and gpg (gnupg), with which git verify-commit checks the
# signed commits of Git write-back, and npm, with which hack/axe-core.sh
# installs the pinned axe-core the portal's browser spec checks pages with.
TEST_PACKAGES ?= git chromium fonts-droid-fallback pdftotext fc-list ssh-keygen gpg npm

.PHONY: test-deps
test-deps: ## Install the Debian packages the tests need when they are missing (apt-get; under CI=true a failure is an error).
	@hack/ensure-packages.sh $(TEST_PACKAGES)

.PHONY: test-unit
test-unit: test-deps envtest-assets mailpit helm kustomize oauth2-proxy ## Run unit tests and envtest specs.
	KUBEBUILDER_ASSETS="$$(hack/envtest-assets.sh 2>/dev/null)" go test ./... -coverprofile cover.out

# The inner loop: the unit, golden and seed-corpus tests of every package without a control
# plane. The envtest tests that honour -short skip themselves; the entry points below do not,
# so they are skipped by name. KUBEBUILDER_ASSETS points at stand-ins for kube-apiserver and
# etcd that exit at once, so an envtest test missing from TEST_FAST_SKIP fails in a second
# ("timeout waiting for process etcd") instead of building or starting a control plane.
# The browser and PDF tests that need Chromium skip with -short too.
TEST_FAST_SKIP ?= ^(TestControllers|TestAdmission|TestResilience|TestShards|TestServerSideDryRun|TestFlux)$$
NO_ENVTEST = $(LOCALBIN)/no-envtest

.PHONY: test-fast
test-fast: helm kustomize ## Run the unit and golden tests without envtest (the inner loop; well under a minute on a warm cache).
	@mkdir -p "$(NO_ENVTEST)"
	@for b in kube-apiserver etcd; do printf '#!/bin/sh\nexit 1\n' > "$(NO_ENVTEST)/$$b"; chmod +x "$(NO_ENVTEST)/$$b"; done
	KUBEBUILDER_ASSETS="$(NO_ENVTEST)" go test -short -skip '$(TEST_FAST_SKIP)' ./... || { \
		echo 'test-fast: a test failing with "timeout waiting for process etcd" starts envtest: add it to TEST_FAST_SKIP'; \
		exit 1; }

# BENCH_N are the numbers of Roles of the cold convergence; BENCH_ARGS are
# further flags of hack/bench (go run ./hack/bench -h), e.g. a quick run:
#   make bench BENCH_N=20 BENCH_ARGS="-steady 5s -gov-proposals 20 -gov-roles 5 -gobench=false" BENCH_OUT=/tmp/bench.md
# The measurements go to BENCH_RAW as JSON (beside BENCH_OUT unless set), and the page is
# rendered from that file alone (hack/bench/performance.md.tmpl).
BENCH_N ?= 100,500,1000
BENCH_ARGS ?=
BENCH_OUT ?= docs/performance.md
BENCH_RAW ?= $(basename $(BENCH_OUT)).json
# The page quotes its command line: paths inside the clone stay relative.
BENCH_BIN = $(patsubst $(CURDIR)/%,%,$(LOCALBIN))

.PHONY: bench
bench: manager envtest-assets mailpit ## Measure convergence, steady state, governance latency, notifications and memory on envtest into BENCH_RAW and render docs/performance.md from it (about 30 minutes).
	go run ./hack/bench -n $(BENCH_N) -variants shipped -binary no-soft-limit="$(BENCH_BIN)/manager" -env no-soft-limit=GOMEMLIMIT=off -describe "no-soft-limit=the same binary with GOMEMLIMIT=off: no soft memory limit, as outside a Pod with a memory limit" -raw "$(BENCH_RAW)" -out "$(BENCH_OUT)" $(BENCH_ARGS)
	KUBEBUILDER_ASSETS="$$(hack/envtest-assets.sh 2>/dev/null)" go run ./hack/bench/maxproposals -n 300 | tee "$(BENCH_BIN)/maxproposals.txt"

# The scale curve: cold convergence and memory at larger N only, without a soft memory limit
# (the demand the chart's limit must cover), fitted together with make bench's no-soft-limit
# figures. It adds its measurements to BENCH_RAW, whose make bench figures it keeps (run make
# bench first), and renders the whole page; make bench keeps the scale curve of BENCH_RAW.
BENCH_SCALE_N ?= 2000,5000
BENCH_SCALE_ARGS ?=

.PHONY: bench-scale
bench-scale: envtest-assets ## Measure the scale curve at N=2000,5000 (memory, cold convergence, fitted bytes per Role) into BENCH_RAW and render docs/performance.md (about 40 minutes).
	go run ./hack/bench -scale -n $(BENCH_SCALE_N) -variants shipped -env shipped=GOMEMLIMIT=off -timeout 45m -raw "$(BENCH_RAW)" -out "$(BENCH_OUT)" $(BENCH_SCALE_ARGS)

.PHONY: bench-render
bench-render: ## Render docs/performance.md from BENCH_RAW without measuring, after editing hack/bench/performance.md.tmpl.
	go run ./hack/bench -rerender "$(BENCH_RAW)" -out "$(BENCH_OUT)"

.PHONY: flux-assets
flux-assets: ## Build (or reuse) Flux's source-controller and kustomize-controller from their release modules (cached outside the clone).
	@hack/flux-assets.sh >/dev/null

# The Flux end-to-end test: Git write-back in Direct and Branch mode against a real Flux
# (source-controller and kustomize-controller built from the Go module proxy by
# hack/flux-assets.sh, about 7 minutes cold on 2 cores, then cached), started on loopback
# against envtest, syncing from git http-backend (docs/gitops.md, The tests).
.PHONY: test-flux
test-flux: test-deps envtest-assets flux-assets ## Run Git write-back end to end against Flux's own controllers (builds them once).
	FLUX_ASSETS="$$(hack/flux-assets.sh 2>/dev/null)" KUBEBUILDER_ASSETS="$$(hack/envtest-assets.sh 2>/dev/null)" \
		go test ./test/flux/ -count=1 -timeout 20m -v -args -ginkgo.v

.PHONY: test-resilience-long
test-resilience-long: envtest-assets ## The full chaos storm: 200 proposals, 100 Role edits, 10 manager restarts.
	CHAOS_LONG=1 KUBEBUILDER_ASSETS="$$(hack/envtest-assets.sh 2>/dev/null)" go test ./test/resilience/ -count=1 -timeout 60m

# Every go test -fuzz target, each for FUZZTIME; seed corpora live in testdata/fuzz.
FUZZTIME ?= 10s
FUZZ_TARGETS = ./internal/validation:FuzzRole ./internal/render:FuzzRender ./internal/governance:FuzzApply \
	./internal/diff:FuzzRoles ./internal/text:FuzzTruncate ./internal/manifestedit:FuzzEdit \
	./internal/render:FuzzCalculatorCSV ./internal/render:FuzzParseCSV ./internal/assess:FuzzParseRatings \
	./internal/publish:FuzzReadFile ./internal/cli:FuzzImportLosses ./internal/render/pdf:FuzzParseFont \
	./internal/render/pdf:FuzzWrap ./internal/scope:FuzzParse ./internal/portal:FuzzConditionalHeaders \
	./internal/gitwrite:FuzzParseKnownHosts ./internal/gitwrite:FuzzWildcardMatch ./internal/revert:FuzzFind \
	./internal/switchover:FuzzMakePlan ./internal/controller:FuzzRoleSpecInManifest \
	./internal/gitwrite:FuzzCommitMessage ./internal/gitwrite:FuzzBranchName ./internal/history:FuzzDiff \
	./internal/governance:FuzzCollect ./internal/notify:FuzzMessage ./internal/portal:FuzzFormToken \
	./internal/portal:FuzzLocalPath ./internal/portal:FuzzProposeForm ./internal/portal:FuzzIdentityClaims \
	./internal/portal:FuzzFollowForm

# A target that fails without writing a failing input under testdata/fuzz
# failed in Go's fuzzing engine (a worker missing its deadline on a loaded
# machine), not in the code: it runs once more. A finding always fails.
.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME (default 10s each).
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; corpus=$$pkg/testdata/fuzz/$$fn; \
		for try in 1 2; do \
			before=$$(find $$corpus -type f 2>/dev/null | wc -l || true); \
			echo "fuzzing $$fn in $$pkg for $(FUZZTIME)"; \
			go test -run='^$$' -fuzz="^$$fn\$$" -fuzztime=$(FUZZTIME) $$pkg && break; \
			if [ $$try = 2 ] || [ "$$(find $$corpus -type f 2>/dev/null | wc -l || true)" != "$$before" ]; then exit 1; fi; \
			echo "$$fn failed without writing a failing input (an engine timeout passes the second time, a failing seed fails again): once more"; \
		done; \
	done

.PHONY: lint
lint: golangci-lint ## Run golangci-lint linter
	"$(GOLANGCI_LINT)" run

.PHONY: lint-fix
lint-fix: golangci-lint ## Run golangci-lint linter and perform fixes
	"$(GOLANGCI_LINT)" run --fix

.PHONY: lint-config
lint-config: golangci-lint ## Verify golangci-lint linter configuration
	"$(GOLANGCI_LINT)" config verify

##@ Demo

.PHONY: manager
manager: ## Build the manager binary (bin/manager) without regenerating code.
	go build -o "$(LOCALBIN)/manager" ./cmd

.PHONY: portal
portal: ## Build the portal binary (bin/skillmatrix-portal), the read-only career portal (docs/portal.md).
	go build -o "$(LOCALBIN)/skillmatrix-portal" ./cmd/portal

# The demo's programs: the manager, the portal, the kubectl plugin and oauth2-proxy, all in bin/.
DEMO_FLAGS = -skip-build -manager "$(LOCALBIN)/manager" -portal "$(LOCALBIN)/skillmatrix-portal" \
	-plugin "$(LOCALBIN)/kubectl-skillmatrix" -oauth2-proxy "$(LOCALBIN)/oauth2-proxy" -dir "$(LOCALBIN)/demo"

.PHONY: demo
demo: manager portal build-plugin oauth2-proxy envtest-assets ## Run the operator, the portal behind oauth2-proxy and a demo sign-in on a local kube-apiserver + etcd with the MLOps Engineer sample (docs/demo.md); Ctrl-C stops it.
	go build -o "$(LOCALBIN)/skillmatrix-demo" ./hack/demo
	"$(LOCALBIN)/skillmatrix-demo" $(DEMO_FLAGS)

.PHONY: demo-check
demo-check: manager portal build-plugin oauth2-proxy envtest-assets ## Run the demo and its printed next steps unattended (the plugin, and the portal signed in through oauth2-proxy), with ports 8080/8081 held busy; prints PASS (CI).
	go build -o "$(LOCALBIN)/skillmatrix-demo" ./hack/demo
	"$(LOCALBIN)/skillmatrix-demo" -check $(DEMO_FLAGS)

##@ Build

.PHONY: build
build: manager ## Build the manager binary (bin/manager), without regenerating code (make manifests generate does that).

.PHONY: build-plugin
build-plugin: ## Build the kubectl plugin (bin/kubectl-skillmatrix); put bin/ on PATH to use `kubectl skillmatrix`.
	go build -o "$(LOCALBIN)/kubectl-skillmatrix" ./cmd/kubectl-skillmatrix

##@ Release

# RELEASE_VERSION is the version of the archives and the krew manifest
# (semver, without the v): the latest v* tag, else 0.0.0-dev.
RELEASE_VERSION ?= $(or $(patsubst v%,%,$(shell git describe --tags --match 'v*' --abbrev=0 2>/dev/null)),0.0.0-dev)
RELEASE_PLATFORMS ?= linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64
RELEASE_URL ?= https://github.com/skillmatrix-dev/skillmatrix-operator/releases/download/v$(RELEASE_VERSION)
# RELEASE_LICENSE goes into every archive as LICENSE (krew installs it):
# the repository's LICENSE, else the Apache-2.0 text Debian ships.
RELEASE_LICENSE ?= $(firstword $(wildcard $(CURDIR)/LICENSE) /usr/share/common-licenses/Apache-2.0)
# hack/krew-check is a Go module of its own: krew's dependencies stay out of go.mod.
KREW_CHECK = go -C hack/krew-check
KREW_CHECK_DIR = $(CURDIR)/dist/krew-check

.PHONY: release
release: ## Build kubectl-skillmatrix archives for every OS/arch (CGO off) into dist/ and fill the krew manifest plugins/skillmatrix.yaml.
	$(KREW_CHECK) run . release -root "$(CURDIR)" -version "v$(RELEASE_VERSION)" -platforms "$(RELEASE_PLATFORMS)" \
		-dist "$(CURDIR)/dist" -template "$(CURDIR)/plugins/skillmatrix.yaml.tmpl" -manifest "$(CURDIR)/plugins/skillmatrix.yaml" \
		-license "$(RELEASE_LICENSE)" -url "$(RELEASE_URL)"
	$(KREW_CHECK) tool validate-krew-manifest -manifest "$(CURDIR)/plugins/skillmatrix.yaml" -skip-install
	$(KREW_CHECK) run . check -manifest "$(CURDIR)/plugins/skillmatrix.yaml" -dist "$(CURDIR)/dist"

.PHONY: krew-check
krew-check: ## Build the host's archive only, fill the krew manifest for it, check it with krew's validation and its sha256 against the archive.
	rm -rf "$(KREW_CHECK_DIR)"
	$(KREW_CHECK) run . release -root "$(CURDIR)" -version "v$(RELEASE_VERSION)" -platforms "$$(go env GOOS)/$$(go env GOARCH)" \
		-dist "$(KREW_CHECK_DIR)" -template "$(CURDIR)/plugins/skillmatrix.yaml.tmpl" -manifest "$(KREW_CHECK_DIR)/skillmatrix.yaml" \
		-license "$(RELEASE_LICENSE)" -url "$(RELEASE_URL)"
	$(KREW_CHECK) tool validate-krew-manifest -manifest "$(KREW_CHECK_DIR)/skillmatrix.yaml" -skip-install
	$(KREW_CHECK) run . check -manifest "$(KREW_CHECK_DIR)/skillmatrix.yaml" -dist "$(KREW_CHECK_DIR)"

.PHONY: run
run: manifests generate fmt vet ## Run a controller from your host.
	go run ./cmd/main.go

# If you wish to build the manager image targeting other platforms you can use the --platform flag.
# (i.e. docker build --platform linux/arm64). However, you must enable docker buildKit for it.
# More info: https://docs.docker.com/develop/develop-images/build_enhancements/
# Override BASE_IMAGE to build from another registry, e.g.
# make docker-build IMG=<img> BASE_IMAGE=docker.io/library/golang:1.26
.PHONY: docker-build
docker-build: ## Build docker image with the manager.
	$(CONTAINER_TOOL) build $(if $(BASE_IMAGE),--build-arg BASE_IMAGE=$(BASE_IMAGE)) -t ${IMG} .

.PHONY: docker-push
docker-push: ## Push docker image with the manager.
	$(CONTAINER_TOOL) push ${IMG}

# PLATFORMS defines the target platforms for the manager image be built to provide support to multiple
# architectures. (i.e. make docker-buildx IMG=myregistry/mypoperator:0.0.1). To use this option you need to:
# - be able to use docker buildx. More info: https://docs.docker.com/build/buildx/
# - have enabled BuildKit. More info: https://docs.docker.com/develop/develop-images/build_enhancements/
# - be able to push the image to your registry (i.e. if you do not set a valid value via IMG=<myregistry/image:<tag>> then the export will fail)
# To adequately provide solutions that are compatible with multiple platforms, you should consider using this option.
PLATFORMS ?= linux/arm64,linux/amd64,linux/s390x,linux/ppc64le
.PHONY: docker-buildx
docker-buildx: ## Build and push docker image for the manager for cross-platform support
	# copy existing Dockerfile and insert --platform=${BUILDPLATFORM} into Dockerfile.cross, and preserve the original Dockerfile
	sed -e '1 s/\(^FROM\)/FROM --platform=\$$\{BUILDPLATFORM\}/; t' -e ' 1,// s//FROM --platform=\$$\{BUILDPLATFORM\}/' Dockerfile > Dockerfile.cross
	- $(CONTAINER_TOOL) buildx create --name skillmatrix-operator-builder
	$(CONTAINER_TOOL) buildx use skillmatrix-operator-builder
	- $(CONTAINER_TOOL) buildx build --push --platform=$(PLATFORMS) $(if $(BASE_IMAGE),--build-arg BASE_IMAGE=$(BASE_IMAGE)) --tag ${IMG} -f Dockerfile.cross .
	- $(CONTAINER_TOOL) buildx rm skillmatrix-operator-builder
	rm Dockerfile.cross

.PHONY: build-installer
build-installer: manifests generate kustomize ## Generate a consolidated YAML with CRDs and deployment.
	mkdir -p dist
	cd config/manager && "$(KUSTOMIZE)" edit set image controller=${IMG}
	"$(KUSTOMIZE)" build config/default > dist/install.yaml

##@ Deployment

ifndef ignore-not-found
  ignore-not-found = false
endif

.PHONY: install
install: manifests kustomize ## Install CRDs into the K8s cluster specified in ~/.kube/config.
	@out="$$( "$(KUSTOMIZE)" build config/crd 2>/dev/null || true )"; \
	if [ -n "$$out" ]; then echo "$$out" | "$(KUBECTL)" apply -f -; else echo "No CRDs to install; skipping."; fi

.PHONY: uninstall
uninstall: manifests kustomize ## Uninstall CRDs from the K8s cluster specified in ~/.kube/config. Call with ignore-not-found=true to ignore resource not found errors during deletion.
	@out="$$( "$(KUSTOMIZE)" build config/crd 2>/dev/null || true )"; \
	if [ -n "$$out" ]; then echo "$$out" | "$(KUBECTL)" delete --ignore-not-found=$(ignore-not-found) -f -; else echo "No CRDs to delete; skipping."; fi

.PHONY: deploy
deploy: manifests kustomize ## Deploy controller to the K8s cluster specified in ~/.kube/config.
	cd config/manager && "$(KUSTOMIZE)" edit set image controller=${IMG}
	"$(KUSTOMIZE)" build config/default | "$(KUBECTL)" apply -f -

.PHONY: undeploy
undeploy: kustomize ## Undeploy controller from the K8s cluster specified in ~/.kube/config. Call with ignore-not-found=true to ignore resource not found errors during deletion.
	"$(KUSTOMIZE)" build config/default | "$(KUBECTL)" delete --ignore-not-found=$(ignore-not-found) -f -

##@ Dependencies

## Location to install dependencies to
LOCALBIN ?= $(shell pwd)/bin
$(LOCALBIN):
	mkdir -p "$(LOCALBIN)"

## Tool Binaries
KUBECTL ?= kubectl
KUSTOMIZE ?= $(LOCALBIN)/kustomize
HELM ?= $(LOCALBIN)/helm
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen
GOLANGCI_LINT = $(LOCALBIN)/golangci-lint

## Tool Versions
KUSTOMIZE_VERSION ?= v5.8.2
HELM_VERSION ?= v4.3.1
CONTROLLER_TOOLS_VERSION ?= v0.23.0

GOLANGCI_LINT_VERSION ?= v2.15.0
# oauth2-proxy is the authenticating proxy of make demo and of the portal's browser specs.
OAUTH2_PROXY_VERSION ?= v7.15.6

.PHONY: oauth2-proxy
oauth2-proxy: $(LOCALBIN) ## Install the pinned oauth2-proxy into bin/ if necessary (hack/oauth2-proxy.sh).
	@OAUTH2_PROXY_VERSION=$(OAUTH2_PROXY_VERSION) LOCALBIN="$(LOCALBIN)" hack/oauth2-proxy.sh >/dev/null

.PHONY: helm
helm: $(LOCALBIN) ## Download helm locally if necessary.
	@HELM_VERSION=$(HELM_VERSION) hack/install-helm.sh >/dev/null

.PHONY: kustomize
kustomize: $(KUSTOMIZE) ## Download kustomize locally if necessary.
$(KUSTOMIZE): $(LOCALBIN)
	$(call go-install-tool,$(KUSTOMIZE),sigs.k8s.io/kustomize/kustomize/v5,$(KUSTOMIZE_VERSION))

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN) ## Download controller-gen locally if necessary.
$(CONTROLLER_GEN): $(LOCALBIN)
	$(call go-install-tool,$(CONTROLLER_GEN),sigs.k8s.io/controller-tools/cmd/controller-gen,$(CONTROLLER_TOOLS_VERSION))

.PHONY: golangci-lint
golangci-lint: $(GOLANGCI_LINT) ## Download golangci-lint locally if necessary.
$(GOLANGCI_LINT): $(LOCALBIN)
	$(call go-install-tool,$(GOLANGCI_LINT),github.com/golangci/golangci-lint/v2/cmd/golangci-lint,$(GOLANGCI_LINT_VERSION))

# go-install-tool will 'go install' any package with custom target and name of binary, if it doesn't exist
# $1 - target path with name of binary
# $2 - package url which can be installed
# $3 - specific version of package
define go-install-tool
@[ -f "$(1)-$(3)" ] && [ "$$(readlink -- "$(1)" 2>/dev/null)" = "$(1)-$(3)" ] || { \
set -e; \
package=$(2)@$(3) ;\
echo "Downloading $${package}" ;\
rm -f "$(1)" ;\
GOBIN="$(LOCALBIN)" go install $${package} ;\
mv "$(LOCALBIN)/$$(basename "$(1)")" "$(1)-$(3)" ;\
} ;\
ln -sf "$$(realpath "$(1)-$(3)")" "$(1)"
endef

define gomodver
$(shell go list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' $(1) 2>/dev/null)
endef
