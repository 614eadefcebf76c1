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

// TestPortalSignIn checks the portal's sign-in values: without them the
// portal is read-only and may impersonate nobody; with them it gets exactly
// the constrained impersonation its writes need (in the watched namespaces
// only when it has namespaces), its flags and its session key; the older,
// unconstrained grant only when asked for.
func TestPortalSignIn(t *testing.T) {
	const portal = "t-skillmatrix-operator-portal"
	t.Run("read-only by default", func(t *testing.T) {
		objs := helmTemplate(t, "t", releaseNamespace, nil, "portal.enabled=true")
		for _, o := range objs {
			if strings.Contains(o.GetName(), "impersonator") || o.GetName() == portal+"-session" {
				t.Errorf("a read-only portal renders %s %s", o.GetKind(), o.GetName())
			}
		}
	})
	t.Run("sign-in grants constrained impersonation for the portal's writes", func(t *testing.T) {
		objs := helmTemplate(t, "t", releaseNamespace, nil, "portal.enabled=true",
			"portal.signIn.issuerURL=https://dex.example.com", "portal.signIn.clientID=portal",
			"portal.signIn.groupsClaim=groups")
		role := find(objs, kindClusterRole, portal+"-impersonator")
		if role == nil {
			t.Fatalf("no impersonator ClusterRole among %v", names(objs))
		}
		verbs := verbsOf(role)
		want := []string{"ballots:impersonate-on:user-info:create", "ballots:impersonate-on:user-info:delete",
			"ballots:impersonate-on:user-info:patch", "follows:impersonate-on:user-info:create",
			"follows:impersonate-on:user-info:delete", "follows:impersonate-on:user-info:get",
			"follows:impersonate-on:user-info:patch", "groups:impersonate:user-info",
			"proposals:impersonate-on:user-info:create",
			"proposals:impersonate-on:user-info:patch", "selfsubjectaccessreviews:impersonate-on:user-info:create",
			"users:impersonate:user-info"}
		if !slices.Equal(verbs, want) {
			t.Errorf("the impersonator grants %v, want exactly %v", verbs, want)
		}
		if find(objs, kindClusterRole, portal+"-impersonator-legacy") != nil {
			t.Error("the unconstrained impersonation is granted by default")
		}
		if find(objs, "Secret", portal+"-session") == nil {
			t.Error("no session key Secret")
		}
		d := find(objs, kindDeployment, portal)
		args := strings.Join(stringsOf(managerContainer(t, d)["args"]), " ")
		for _, w := range []string{"--oidc-issuer-url=https://dex.example.com", "--oidc-client-id=portal",
			"--oidc-groups-claim=groups", "--session-key-file=/etc/portal/session/session-key",
			"--sign-in-url=/oauth2/start?rd={rd}"} {
			if !strings.Contains(args, w) {
				t.Errorf("portal args %s lack %s", args, w)
			}
		}
	})
	t.Run("namespaced: the writes only in the namespaces it shows", func(t *testing.T) {
		objs := helmTemplate(t, "t", releaseNamespace, nil, "portal.enabled=true", "portal.namespaces={career-a1}",
			"portal.signIn.issuerURL=https://dex.example.com", "portal.signIn.clientID=portal")
		role := find(objs, kindClusterRole, portal+"-impersonator")
		if role == nil {
			t.Fatalf("no impersonator ClusterRole among %v", names(objs))
		}
		want := []string{"groups:impersonate:user-info", "selfsubjectaccessreviews:impersonate-on:user-info:create",
			"users:impersonate:user-info"}
		if got := verbsOf(role); !slices.Equal(got, want) {
			t.Errorf("in namespaced mode the cluster-wide grant is %v, want exactly %v", got, want)
		}
		nsRole := roleIn(objs, "career-a1", portal+"-impersonator")
		if nsRole == nil {
			t.Fatalf("no impersonator Role in career-a1 among %v", names(objs))
		}
		want = []string{"ballots:impersonate-on:user-info:create", "ballots:impersonate-on:user-info:delete",
			"ballots:impersonate-on:user-info:patch", "follows:impersonate-on:user-info:create",
			"follows:impersonate-on:user-info:delete", "follows:impersonate-on:user-info:get",
			"follows:impersonate-on:user-info:patch", "proposals:impersonate-on:user-info:create",
			"proposals:impersonate-on:user-info:patch"}
		if got := verbsOf(nsRole); !slices.Equal(got, want) {
			t.Errorf("the impersonator Role in career-a1 grants %v, want exactly %v", got, want)
		}
	})
	t.Run("the unconstrained grant only when asked for", func(t *testing.T) {
		objs := helmTemplate(t, "t", releaseNamespace, nil, "portal.enabled=true",
			"portal.signIn.issuerURL=https://dex.example.com", "portal.signIn.clientID=portal",
			"portal.impersonation.legacy=true")
		if find(objs, kindClusterRole, portal+"-impersonator-legacy") == nil {
			t.Error("portal.impersonation.legacy renders no grant")
		}
	})
}

// verbsOf lists what a (Cluster)Role grants as resource:verb, sorted.
func verbsOf(role *unstructured.Unstructured) []string {
	grants := grantsOf(role.Object["rules"])
	verbs := make([]string, 0, len(grants))
	for _, g := range grants {
		verbs = append(verbs, g.resource+":"+g.verb)
	}
	slices.Sort(verbs)
	return verbs
}
