/*
Copyright 2026.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Package testenv helps envtest suites (and the local first run) install what
// the operator ships besides its CRDs: the ValidatingAdmissionPolicies (with
// their parameters) that enforce Proposal authenticity, the promotion record
// and the published ConfigMaps, and the ClusterRoles for users. It has no
// test framework dependency, so any suite can share it. It may use envtest
// and a client, but must not import internal/controller or internal/cli: the
// suites that test them import it.
package testenv

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"
)

// FieldOwner is the server-side apply field manager InstallAdmission uses.
const FieldOwner = "skillmatrix-testenv"

// PolicyName is the name of the shipped ValidatingAdmissionPolicy (and of its
// binding) in config/admission, before any kustomize name prefix.
const PolicyName = "skillmatrix-proposal-authenticity"

// PolicyMessage starts the message with which the policy refuses a Proposal
// whose spec.author is not the creating user.
const PolicyMessage = "spec.author must be your own username"

// userRolesFile holds the ClusterRoles for users, relative to the repository
// root.
const userRolesFile = "config/rbac/user/user_roles.yaml"

// ParamsFile holds the admission policies' parameters (a ConfigMap in the
// operator's namespace), relative to the repository root.
const ParamsFile = "config/admission/params/admission_params.yaml"

// OperatorsKey is the key of the parameters that lists the operator's
// usernames, one per line.
const OperatorsKey = "operators"

// forgedAuthor is the author of the probe Proposal WaitForPolicy sends. No
// real client authenticates with this name, so the policy must refuse it.
const forgedAuthor = "skillmatrix-testenv-forged-author"

// policyTimeout bounds how long WaitForPolicy waits when ctx has no deadline.
const policyTimeout = 60 * time.Second

// AdmissionManifests returns the files InstallAdmission applies from the
// repository root: every YAML file in config/admission except its
// kustomization.yaml, in name order, then config/rbac/user/user_roles.yaml,
// then those of config/notify (the Follow policy and the follower
// ClusterRole).
func AdmissionManifests(root string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(root, "config", "admission", "*.yaml"))
	if err != nil {
		return nil, err
	}
	files = slices.DeleteFunc(files, func(f string) bool { return filepath.Base(f) == "kustomization.yaml" })
	if len(files) == 0 {
		return nil, fmt.Errorf("no manifests in %s", filepath.Join(root, "config", "admission"))
	}
	slices.Sort(files)
	notify, err := filepath.Glob(filepath.Join(root, "config", "notify", "*.yaml"))
	if err != nil {
		return nil, err
	}
	notify = slices.DeleteFunc(notify, func(f string) bool { return filepath.Base(f) == "kustomization.yaml" })
	slices.Sort(notify)
	return slices.Concat(files, []string{filepath.Join(root, userRolesFile)}, notify), nil
}

// ReadObjects decodes every YAML document of a file into unstructured objects,
// skipping documents that hold only comments.
func ReadObjects(path string) ([]*unstructured.Unstructured, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decodeObjects(path, data)
}

// decodeObjects decodes every YAML document of data, read from source.
func decodeObjects(source string, data []byte) ([]*unstructured.Unstructured, error) {
	var objs []*unstructured.Unstructured
	for i, doc := range strings.Split("\n"+string(data), "\n---") {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", source, i, err)
		}
		if len(m) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		if u.GetAPIVersion() == "" || u.GetKind() == "" || u.GetName() == "" {
			return nil, fmt.Errorf("%s: document %d lacks apiVersion, kind or metadata.name", source, i)
		}
		objs = append(objs, u)
	}
	return objs, nil
}

// InstallAdmission applies the admission policies' parameters, the policies,
// their bindings and the user ClusterRoles found under root (the repository
// root) with server-side apply, then waits until the API server enforces the
// policy (see WaitForPolicy). The parameters name, besides the usernames the
// shipped file lists, the operators given, or when none are given the user
// the client authenticates as (in envtest suites the manager runs with the
// installer's credentials). The client must be allowed to write
// cluster-scoped admission and RBAC objects, namespaces and ConfigMaps, as
// the envtest admin is.
func InstallAdmission(ctx context.Context, c client.Client, root string, operators ...string) error {
	if len(operators) == 0 {
		self, err := whoAmI(ctx, c)
		if err != nil {
			return err
		}
		operators = []string{self}
	}
	params, err := operatorParams(root, operators)
	if err != nil {
		return err
	}
	if err := ensureNamespace(ctx, c, params.GetNamespace()); err != nil {
		return err
	}
	if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(params),
		client.FieldOwner(FieldOwner), client.ForceOwnership); err != nil {
		return fmt.Errorf("apply the admission parameters from %s: %w", ParamsFile, err)
	}
	files, err := AdmissionManifests(root)
	if err != nil {
		return err
	}
	for _, f := range files {
		objs, err := ReadObjects(f)
		if err != nil {
			return err
		}
		for _, u := range objs {
			if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u),
				client.FieldOwner(FieldOwner), client.ForceOwnership); err != nil {
				return fmt.Errorf("apply %s %s from %s: %w", u.GetKind(), u.GetName(), f, err)
			}
		}
	}
	return WaitForPolicy(ctx, c)
}

// operatorParams reads the shipped parameters and adds operators to the
// usernames they list.
func operatorParams(root string, operators []string) (*unstructured.Unstructured, error) {
	objs, err := ReadObjects(filepath.Join(root, ParamsFile))
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 || objs[0].GetKind() != "ConfigMap" {
		return nil, fmt.Errorf("%s must hold exactly one ConfigMap", ParamsFile)
	}
	params := objs[0]
	listed, _, _ := unstructured.NestedString(params.Object, "data", OperatorsKey)
	all := strings.TrimRight(listed, "\n") + "\n" + strings.Join(operators, "\n") + "\n"
	if err := unstructured.SetNestedField(params.Object, all, "data", OperatorsKey); err != nil {
		return nil, err
	}
	return params, nil
}

// whoAmI returns the username the client authenticates as.
func whoAmI(ctx context.Context, c client.Client) (string, error) {
	review := &authenticationv1.SelfSubjectReview{}
	if err := c.Create(ctx, review); err != nil {
		return "", fmt.Errorf("asking the API server who the installer is: %w", err)
	}
	return review.Status.UserInfo.Username, nil
}

// ensureNamespace creates the namespace unless it exists.
func ensureNamespace(ctx context.Context, c client.Client, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := c.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s for the admission parameters: %w", name, err)
	}
	return nil
}

// WaitForPolicy waits until the API server enforces the Proposal authenticity
// policy. The API server loads policies and bindings asynchronously, so a
// freshly applied policy is not in force at once. WaitForPolicy sends, as the
// client's user, a dry-run create of a Proposal whose author is forged until
// the API server refuses it with the policy's message. It does not wait for
// the policy's status (the type check that writes it runs in
// kube-controller-manager, which envtest does not start).
//
// Namespace "default" must exist (kube-apiserver creates it). Without a
// deadline on ctx, WaitForPolicy gives up after a minute.
func WaitForPolicy(ctx context.Context, c client.Client) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, policyTimeout)
		defer cancel()
	}
	var last error
	err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		// Until the CRD is served and the policy loaded, the probe fails in
		// other ways or succeeds (dry run: nothing is stored); keep polling.
		last = c.Create(ctx, probeProposal(), client.DryRunAll)
		return last != nil && strings.Contains(last.Error(), PolicyMessage), nil
	})
	if err != nil {
		return fmt.Errorf("ValidatingAdmissionPolicy %s is not enforced (last probe: %v): %w", PolicyName, last, err)
	}
	return nil
}

// probeProposal is a Proposal that passes the CRD schema but carries a forged
// author, so only the admission policy refuses it.
func probeProposal() *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"spec": map[string]any{
			"roleRef": "skillmatrix-testenv-probe",
			"title":   "admission policy probe",
			"author":  forgedAuthor,
			"changes": []any{map[string]any{"op": "SetFocus", "level": "probe", "focus": "probe"}},
		},
	}}
	u.SetAPIVersion("career.skillmatrix.dev/v1alpha1")
	u.SetKind("Proposal")
	u.SetNamespace(metav1.NamespaceDefault)
	u.SetGenerateName("skillmatrix-testenv-probe-")
	return u
}

// CRDDirectory is where the operator's generated CRDs are, below the repository root.
func CRDDirectory(root string) string {
	return filepath.Join(root, "config", "crd", "bases")
}

// Environment returns an envtest environment that installs the operator's
// CRDs, and any further CRD files or directories, and runs the control plane
// AssetsDir finds.
func Environment(ctx context.Context, root string, progress io.Writer, extraCRDPaths ...string) (*envtest.Environment, error) {
	assets, err := AssetsDir(ctx, root, progress)
	if err != nil {
		return nil, err
	}
	return &envtest.Environment{
		CRDDirectoryPaths:     append([]string{CRDDirectory(root)}, extraCRDPaths...),
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: assets,
	}, nil
}

// AssetsDir returns the directory holding kube-apiserver and etcd: an
// existing KUBEBUILDER_ASSETS that holds both, else whatever
// hack/envtest-assets.sh provides (cached, downloaded or built from source;
// its progress goes to progress when that is not nil).
func AssetsDir(ctx context.Context, root string, progress io.Writer) (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" && hasControlPlane(dir) {
		return dir, nil
	}
	cmd := exec.CommandContext(ctx, filepath.Join(root, "hack", "envtest-assets.sh"))
	cmd.Stderr = progress
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("hack/envtest-assets.sh could not provide kube-apiserver and etcd: %w", err)
	}
	dir := strings.TrimSpace(string(out))
	if !hasControlPlane(dir) {
		return "", fmt.Errorf("hack/envtest-assets.sh printed %q, which lacks kube-apiserver or etcd", dir)
	}
	return dir, nil
}

func hasControlPlane(dir string) bool {
	for _, bin := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(dir, bin)); err != nil {
			return false
		}
	}
	return true
}

// AuthenticatedGroups is what the API server puts in request.userInfo.groups
// for a user of envtest.User with groups: those and system:authenticated. A
// vote or review records exactly these (skillmatrix-proposal-eligibility).
func AuthenticatedGroups(groups ...string) []string {
	return append(slices.Clone(groups), "system:authenticated")
}
