# The manager image: a static Go binary on distroless, running as non-root.
#
#   make docker-build IMG=<registry>/skillmatrix-operator:<tag>
#
# Override BASE_IMAGE to build from another registry, e.g.
# docker.io/library/golang:1.26. `make docker-buildx` rewrites the first FROM
# below to build on the build platform and cross-compile for TARGETARCH.
ARG BASE_IMAGE=golang:1.26
FROM ${BASE_IMAGE} AS builder
ARG TARGETOS
ARG TARGETARCH

WORKDIR /workspace
# Module manifests first, so that the downloaded modules stay cached in their
# own layer until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download

# The sources the manager is built from (.dockerignore leaves out tests and
# test data). internal/render embeds matrix.html.tmpl, so whole directories
# are copied, not only *.go files.
COPY api/ api/
COPY cmd/ cmd/
COPY internal/ internal/

# A static binary (no cgo) without build paths, symbols or DWARF. GOARCH is
# empty unless the builder sets TARGETARCH, so the binary matches the platform
# it is built on, as the image does.
RUN CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags "-s -w" -o manager ./cmd/main.go
# The read-only portal (docs/portal.md) ships in the same image: its
# Deployment runs /portal instead of /manager.
RUN CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags "-s -w" -o portal ./cmd/portal

# distroless/static: no shell, no package manager, CA certificates and tzdata
# only; the nonroot variant's user is 65532.
# https://github.com/GoogleContainerTools/distroless
FROM gcr.io/distroless/static:nonroot
LABEL org.opencontainers.image.title="skillmatrix-operator" \
      org.opencontainers.image.description="Kubernetes operator for engineering career skill matrices" \
      org.opencontainers.image.source="https://github.com/skillmatrix-dev/skillmatrix-operator" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /
COPY --from=builder /workspace/manager /manager
COPY --from=builder /workspace/portal /portal
# Numeric, so that runAsNonRoot can verify it without a passwd lookup.
USER 65532:65532

ENTRYPOINT ["/manager"]
