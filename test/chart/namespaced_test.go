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

package chart

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// clusterScopedByNature are the only resources a namespaced install may be
// granted cluster-wide: the reviews of governance and metrics, and the
// admission policies and bindings it checks.
var clusterScopedByNature = []string{
	"subjectaccessreviews", "tokenreviews", "validatingadmissionpolicies", "validatingadmissionpolicybindings",
}

// grant is one (API group, resource, verb) a rule allows.
type grant struct{ group, resource, verb string }

func grantsOf(rules any) []grant {
	var out []grant
	items, _ := rules.([]any)
	for _, item := range items {
		rule, _ := item.(map[string]any)
		for _, g := range stringsOf(rule["apiGroups"]) {
			for _, r := range stringsOf(rule["resources"]) {
				for _, v := range stringsOf(rule["verbs"]) {
					out = append(out, grant{g, r, v})
				}
			}
		}
	}
	return out
}

// clusterRolesBoundTo returns the ClusterRoles bound to the ServiceAccount namespace/name.
func clusterRolesBoundTo(objs objects, namespace, name string) objects {
	var out objects
	for _, b := range ofKind(objs, "ClusterRoleBinding") {
		subjects, _ := field(b, "subjects").([]any)
		for _, s := range subjects {
			subject, _ := s.(map[string]any)
			if subject["kind"] == "ServiceAccount" && subject["namespace"] == namespace && subject["name"] == name {
				if role := find(objs, kindClusterRole, field(b, "roleRef", "name").(string)); role != nil {
					out = append(out, role)
				}
			}
		}
	}
	return out
}

// roleIn returns the Role of a name in a namespace, or nil.
func roleIn(objs objects, namespace, name string) *unstructured.Unstructured {
	for _, o := range ofKind(objs, "Role") {
		if o.GetNamespace() == namespace && o.GetName() == name {
			return o
		}
	}
	return nil
}

// TestNamespacedMode checks what watchNamespaces renders: the manager's and
// the portal's access to namespaced data only through Roles in the watched
// namespaces, every generated rule still granted there or cluster-wide, and
// the flags.
func TestNamespacedMode(t *testing.T) {
	const ns = "ops-a"
	watched := []string{"career-a1", "career-a2"}
	objs := helmTemplate(t, "team-a", ns, nil, "watchNamespaces={career-a1,career-a2}", "portal.enabled=true")
	const manager, portal = "team-a-skillmatrix-operator", "team-a-skillmatrix-operator-portal"

	t.Run("no cluster-wide access to namespaced data", func(t *testing.T) {
		for _, sa := range []string{manager, portal} {
			for _, role := range clusterRolesBoundTo(objs, ns, sa) {
				for _, g := range grantsOf(field(role, "rules")) {
					if !slices.Contains(clusterScopedByNature, strings.Split(g.resource, "/")[0]) {
						t.Errorf("ClusterRole %s, bound to %s, grants %s on %s.%s cluster-wide",
							role.GetName(), sa, g.verb, g.resource, g.group)
					}
				}
			}
		}
	})

	t.Run("every generated rule granted in each watched namespace or cluster-wide", func(t *testing.T) {
		generated := configObjects(t, "config/rbac/role.yaml")
		cluster := grantsOf(field(find(objs, kindClusterRole, manager+"-manager"), "rules"))
		for _, w := range watched {
			role := roleIn(objs, w, manager+"-manager")
			if role == nil {
				t.Fatalf("no Role %s-manager in %s among %v", manager, w, names(objs))
			}
			namespaced := grantsOf(field(role, "rules"))
			for _, g := range grantsOf(field(generated[0], "rules")) {
				if !slices.Contains(namespaced, g) && !slices.Contains(cluster, g) {
					t.Errorf("%s on %s.%s is granted neither in %s nor cluster-wide", g.verb, g.resource, g.group, w)
				}
			}
		}
	})

	t.Run("RoleBindings, params read by name, and nothing in other namespaces", func(t *testing.T) {
		for _, o := range objs {
			if o.GetNamespace() != "" && o.GetNamespace() != ns && !slices.Contains(watched, o.GetNamespace()) {
				t.Errorf("%s/%s rendered in %s, neither the release's nor a watched namespace",
					o.GetKind(), o.GetName(), o.GetNamespace())
			}
		}
		for _, w := range watched {
			for _, name := range []string{manager + "-manager", portal + "-reader"} {
				found := false
				for _, b := range ofKind(objs, "RoleBinding") {
					found = found || (b.GetNamespace() == w && b.GetName() == name && field(b, "roleRef", "name") == name)
				}
				if !found {
					t.Errorf("no RoleBinding %s in %s", name, w)
				}
			}
		}
		params := roleIn(objs, ns, manager+"-admission-params")
		if params == nil {
			t.Fatalf("no Role %s-admission-params in %s", manager, ns)
		}
		want := []any{map[string]any{"apiGroups": []any{""}, "resources": []any{"configmaps"},
			"resourceNames": []any{"skillmatrix-admission-params"}, "verbs": []any{"get", "list", "watch"}}}
		if got := field(params, "rules"); !equalYAML(got, want) {
			t.Errorf("params Role rules = %s, want %s", toYAML(got), toYAML(want))
		}
		if find(objs, kindClusterRole, portal+"-reader") != nil {
			t.Errorf("the portal still has its ClusterRole in namespaced mode")
		}
	})

	t.Run("flags", func(t *testing.T) {
		assertArgs(t, objs, manager, "--watch-namespaces=career-a1,career-a2",
			"--leader-election-id=team-a-skillmatrix-operator.career.skillmatrix.dev")
		d := find(objs, kindDeployment, portal)
		if d == nil {
			t.Fatalf("no portal Deployment")
		}
		args := stringsOf(managerContainer(t, d)["args"])
		if !slices.Contains(args, "--watch-namespaces=career-a1,career-a2") {
			t.Errorf("portal args %v do not follow watchNamespaces", args)
		}
	})

	t.Run("portal.namespaces overrides watchNamespaces", func(t *testing.T) {
		objs := helmTemplate(t, "team-a", ns, nil, "watchNamespaces={career-a1,career-a2}", "portal.enabled=true",
			"portal.namespaces={career-a1}")
		if roleIn(objs, "career-a1", portal+"-reader") == nil || roleIn(objs, "career-a2", portal+"-reader") != nil {
			t.Errorf("portal Roles are not exactly in portal.namespaces: %v", names(ofKind(objs, "Role")))
		}
	})

	t.Run("cluster-wide by default", func(t *testing.T) {
		objs := helmTemplate(t, "team-a", ns, nil, "portal.enabled=true")
		for _, o := range ofKind(objs, "Role") {
			if o.GetNamespace() != ns {
				t.Errorf("default values render Role %s in %s", o.GetName(), o.GetNamespace())
			}
		}
		if find(objs, kindClusterRole, portal+"-reader") == nil {
			t.Errorf("default values render no portal ClusterRole")
		}
		for _, a := range stringsOf(managerContainer(t, find(objs, kindDeployment, manager))["args"]) {
			if strings.HasPrefix(a, "--watch-namespaces") {
				t.Errorf("default values pass %s", a)
			}
		}
	})
}

// TestTwoReleases renders two releases side by side as docs/install.md
// describes them: the first installs the admission policy and lists the
// second's identity as an operator, the second installs neither policy nor
// params nor the ClusterRoles for people, and no object is rendered by both.
func TestTwoReleases(t *testing.T) {
	first := helmTemplate(t, "team-a", "ops-a", nil, "watchNamespaces={career-a1}",
		"admissionPolicy.extraOperators={system:serviceaccount:ops-b:team-b-skillmatrix-operator}")
	second := helmTemplate(t, "team-b", "ops-b", nil, "watchNamespaces={career-b1}",
		"admissionPolicy.enabled=false", "admissionPolicy.enforcedExternally=false",
		"admissionPolicy.paramsNamespace=ops-a", "userRoles.enabled=false")

	for _, kind := range []string{kindPolicy, kindBinding} {
		if got := ofKind(second, kind); len(got) != 0 {
			t.Errorf("the second release renders %v", names(got))
		}
	}
	if cm := find(second, "ConfigMap", "skillmatrix-admission-params"); cm != nil {
		t.Errorf("the second release renders the admission params")
	}
	params := find(first, "ConfigMap", "skillmatrix-admission-params")
	if params == nil {
		t.Fatalf("the first release renders no admission params")
	}
	operators := strings.Fields(field(params, "data", "operators").(string))
	for _, want := range []string{"system:serviceaccount:ops-a:team-a-skillmatrix-operator",
		"system:serviceaccount:ops-b:team-b-skillmatrix-operator"} {
		if !slices.Contains(operators, want) {
			t.Errorf("the admission params list operators %v, without %s", operators, want)
		}
	}
	assertArgs(t, second, "team-b-skillmatrix-operator", "--admission-params-namespace=ops-a",
		"--watch-namespaces=career-b1")
	if roleIn(second, "ops-a", "team-b-skillmatrix-operator-admission-params") == nil {
		t.Errorf("the second release cannot read the params in ops-a: %v", names(ofKind(second, "Role")))
	}

	key := func(o *unstructured.Unstructured) string {
		return o.GetKind() + " " + o.GetNamespace() + "/" + o.GetName()
	}
	seen := map[string]bool{}
	for _, o := range first {
		seen[key(o)] = true
	}
	for _, o := range second {
		// Helm installs a chart's CRDs only where they are missing and never
		// upgrades or deletes them: both releases ship the same ones.
		if o.GetKind() != kindCRD && seen[key(o)] {
			t.Errorf("both releases render %s", key(o))
		}
	}
}

// equalYAML compares decoded manifests.
func equalYAML(a, b any) bool { return toYAML(a) == toYAML(b) }
