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

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	careerv1alpha1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/internal/managerproc"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

const (
	// The samples, relative to the repository root.
	sampleMatrix   = "config/samples/career_v1alpha1_skillmatrix.yaml"
	sampleRole     = "config/samples/career_v1alpha1_role.yaml"
	sampleProposal = "config/samples/career_v1alpha1_proposal.yaml"

	keyMarkdown = render.KeyMarkdown
	keyHTML     = render.KeyHTML
	// htmlFile is where the demo writes the rendered HTML matrix.
	htmlFile = "matrix.html"
)

// demoUser is a person of the demo and the ClusterRole bound to them in the
// demo namespace.
type demoUser struct {
	name, clusterRole, part string
}

var demoUsers = []demoUser{
	{"alice", "skillmatrix-proposer", "proposes"},
	{"bob", "skillmatrix-voter", "votes"},
	{"dave", "skillmatrix-voter", "votes"},
	{"carol", "skillmatrix-reviewer", "reviews as the expert"},
}

// addUsers creates the demo namespace and, per user, a client certificate,
// a kubeconfig and a RoleBinding to their ClusterRole.
func (d *demo) addUsers(ctx context.Context) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	if err := d.admin.Create(ctx, ns); err != nil {
		return fmt.Errorf("creating namespace %s: %w", namespace, err)
	}
	fmt.Printf("    %-6s %-22s %s\n", "admin", "system:masters", filepath.Join(d.relDir, adminKubeconfig))
	for _, u := range demoUsers {
		user, err := d.env.AddUser(envtest.User{Name: u.name, Groups: []string{demoGroup}}, &rest.Config{})
		if err != nil {
			return fmt.Errorf("adding user %s: %w", u.name, err)
		}
		kubeconfig, err := user.KubeConfig()
		if err != nil {
			return err
		}
		path := filepath.Join(d.dir, u.name+".kubeconfig")
		if err := os.WriteFile(path, kubeconfig, 0o600); err != nil {
			return err
		}
		if d.users[u.name], err = client.New(user.Config(), client.Options{Scheme: scheme}); err != nil {
			return err
		}
		rb := &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: u.name + "-" + u.clusterRole},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: u.clusterRole},
			Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: u.name}},
		}
		if err := d.admin.Create(ctx, rb); err != nil {
			return fmt.Errorf("binding %s to %s: %w", u.name, u.clusterRole, err)
		}
		fmt.Printf("    %-6s %-22s %s\n", u.name, u.clusterRole, rel(d.root, path))
	}
	return nil
}

// applySamples applies the SkillMatrix and Role samples into the demo
// namespace and waits until the Role is Ready.
func (d *demo) applySamples(ctx context.Context) (*careerv1alpha1.Role, error) {
	var role *careerv1alpha1.Role
	for _, f := range []string{sampleMatrix, sampleRole} {
		objs, err := testenv.ReadObjects(filepath.Join(d.root, f))
		if err != nil {
			return nil, err
		}
		for _, u := range objs {
			u.SetNamespace(namespace)
			if err := d.admin.Apply(ctx, client.ApplyConfigurationFromUnstructured(u),
				client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
				return nil, fmt.Errorf("applying %s %s from %s: %w", u.GetKind(), u.GetName(), f, err)
			}
			fmt.Printf("    %s %s/%s from %s\n", u.GetKind(), namespace, u.GetName(), f)
			if u.GetKind() == "Role" {
				role = &careerv1alpha1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: u.GetName()}}
			}
		}
	}
	if role == nil {
		return nil, fmt.Errorf("%s holds no Role", sampleRole)
	}
	err := d.waitFor(ctx, func(ctx context.Context) (bool, error) {
		if err := d.admin.Get(ctx, client.ObjectKeyFromObject(role), role); err != nil {
			return false, nil //nolint:nilerr // not there yet or a transient error: keep polling
		}
		return roleReady(role), nil
	})
	if errors.Is(err, context.DeadlineExceeded) {
		return nil, fmt.Errorf("the Role %s/%s did not become Ready within %s.\nIts conditions:\n%s%s",
			namespace, role.Name, d.opts.timeout, conditions(role.Status.Conditions), d.manager.Tail(managerproc.TailLines))
	}
	return role, err
}

// roleReady reports whether the Role is Ready for its current generation and
// names its ConfigMap.
func roleReady(role *careerv1alpha1.Role) bool {
	c := meta.FindStatusCondition(role.Status.Conditions, careerv1alpha1.ConditionReady)
	return c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == role.Generation &&
		role.Status.ConfigMapName != ""
}

// conditions formats conditions one per line.
func conditions(conds []metav1.Condition) string {
	if len(conds) == 0 {
		return "    (none: the operator has not reconciled the Role)\n"
	}
	var b strings.Builder
	for _, c := range conds {
		fmt.Fprintf(&b, "    %s=%s reason=%s generation=%d: %s\n",
			c.Type, c.Status, c.Reason, c.ObservedGeneration, c.Message)
	}
	return b.String()
}

// matrix is the rendered matrix as the Role's ConfigMap holds it.
type matrix struct {
	markdown, html []byte
	// compressed is true when the ConfigMap holds gzip-compressed binaryData.
	compressed      bool
	resourceVersion string
}

// readMatrix reads the Markdown and HTML matrix from the Role's ConfigMap,
// uncompressing them if the operator had to gzip them.
func (d *demo) readMatrix(ctx context.Context, name string) (*matrix, error) {
	var cm corev1.ConfigMap
	if err := d.admin.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &cm); err != nil {
		return nil, err
	}
	m := &matrix{resourceVersion: cm.ResourceVersion, compressed: len(cm.BinaryData) > 0}
	for key, dst := range map[string]*[]byte{keyMarkdown: &m.markdown, keyHTML: &m.html} {
		file, err := publish.ReadFile(cm.Data, cm.BinaryData, key)
		if err != nil {
			return nil, fmt.Errorf("ConfigMap %s/%s: %w", namespace, name, err)
		}
		*dst = file
	}
	return m, nil
}

// publishMatrix reads the Role's rendered matrix, writes matrix.html into the
// demo directory and returns the Markdown.
func (d *demo) publishMatrix(ctx context.Context, role *careerv1alpha1.Role) (string, error) {
	m, err := d.readMatrix(ctx, role.Status.ConfigMapName)
	if err != nil {
		return "", err
	}
	d.configMap, d.compressed = role.Status.ConfigMapName, m.compressed
	d.lastMatrix = m
	if err := os.WriteFile(filepath.Join(d.dir, htmlFile), m.html, 0o644); err != nil {
		return "", err
	}
	return string(m.markdown), nil
}

// waitFor polls cond until it holds, the manager exits, ctx ends or the
// demo's timeout passes (context.DeadlineExceeded).
func (d *demo) waitFor(ctx context.Context, cond func(context.Context) (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, d.opts.timeout)
	defer cancel()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := cond(ctx)
		if err != nil || ok {
			return err
		}
		select {
		case <-d.manager.Exited():
			return d.manager.Died()
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// sampleProposalObject reads the sample Proposal, placed in the demo
// namespace.
func (d *demo) sampleProposalObject() (*unstructured.Unstructured, error) {
	objs, err := testenv.ReadObjects(filepath.Join(d.root, sampleProposal))
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 || objs[0].GetKind() != "Proposal" {
		return nil, fmt.Errorf("%s must hold exactly one Proposal", sampleProposal)
	}
	objs[0].SetNamespace(namespace)
	return objs[0], nil
}

// demoGroup is the identity-provider group of the demo users; demoGroups is
// what their votes and reviews record (the API server adds
// system:authenticated).
const demoGroup = "engineers"
