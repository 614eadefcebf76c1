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

package shards

import (
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

const sampleRole = "mlops-engineer"

// applySamples creates the sample SkillMatrix and Role in namespace.
func applySamples(namespace string) {
	GinkgoHelper()
	for _, f := range []string{"career_v1alpha1_skillmatrix.yaml", "career_v1alpha1_role.yaml"} {
		objs, err := testenv.ReadObjects(filepath.Join(repoRoot, "config", "samples", f))
		Expect(err).NotTo(HaveOccurred())
		for _, o := range objs {
			o.SetNamespace(namespace)
			Expect(admin.Create(suiteCtx, o)).To(Succeed())
		}
	}
}

// roleReady says why the sample Role of namespace is not Ready and
// published yet; "" once it is.
func roleReady(namespace string) func() string {
	return func() string {
		var role v1.Role
		if err := admin.Get(suiteCtx, client.ObjectKey{Namespace: namespace, Name: sampleRole}, &role); err != nil {
			return err.Error()
		}
		if !meta.IsStatusConditionTrue(role.Status.Conditions, v1.ConditionReady) {
			return fmt.Sprintf("Role %s/%s not Ready: %v", namespace, sampleRole, role.Status.Conditions)
		}
		if role.Status.ConfigMapName == "" {
			return fmt.Sprintf("Role %s/%s names no ConfigMap", namespace, sampleRole)
		}
		var cm corev1.ConfigMap
		key := client.ObjectKey{Namespace: namespace, Name: role.Status.ConfigMapName}
		if err := admin.Get(suiteCtx, key, &cm); err != nil {
			return err.Error()
		}
		return ""
	}
}

var _ = Describe("Two installs over disjoint namespaces on one API server", Ordered, func() {
	It("each reconciles and publishes the Roles of its own namespaces", func() {
		for _, ns := range append(slices.Clone(teamA.watched), teamB.watched...) {
			Eventually(roleReady(ns)).WithTimeout(time.Minute).Should(BeEmpty())
		}
	})

	It("leaves a Role outside every watched namespace untouched: no status, no ConfigMap, no Events", func() {
		// The watched Roles are published, so both managers have long since
		// listed, watched and reconciled what their caches hold; what follows
		// does not depend on having waited long enough, since no request of
		// either names the namespace (the last spec checks that).
		var role v1.Role
		Expect(admin.Get(suiteCtx, client.ObjectKey{Namespace: unwatched, Name: sampleRole}, &role)).To(Succeed())
		Expect(role.Status).To(Equal(v1.RoleStatus{}))
		var matrix v1.SkillMatrix
		Expect(admin.Get(suiteCtx, client.ObjectKey{Namespace: unwatched, Name: "engineering"}, &matrix)).To(Succeed())
		Expect(matrix.Status).To(Equal(v1.SkillMatrixStatus{}))
		var cms corev1.ConfigMapList
		Expect(admin.List(suiteCtx, &cms, client.InNamespace(unwatched),
			client.MatchingLabels(publish.ManagedLabels()))).To(Succeed())
		Expect(cms.Items).To(BeEmpty())
		var events corev1.EventList
		Expect(admin.List(suiteCtx, &events, client.InNamespace(unwatched))).To(Succeed())
		Expect(events.Items).To(BeEmpty())
	})

	It("follows an edit in its own namespace only", func() {
		var matrix v1.SkillMatrix
		key := client.ObjectKey{Namespace: "career-b1", Name: "engineering"}
		Expect(admin.Get(suiteCtx, key, &matrix)).To(Succeed())
		matrix.Spec.DisplayName = "Engineering (team B)"
		Expect(admin.Update(suiteCtx, &matrix)).To(Succeed())
		Eventually(func() int64 {
			var now v1.SkillMatrix
			Expect(admin.Get(suiteCtx, key, &now)).To(Succeed())
			return now.Status.ObservedGeneration
		}).WithTimeout(time.Minute).Should(Equal(matrix.Generation))
	})

	It("promotes a Proposal in the install that does not hold the admission policy", func() {
		// team-b re-checks the ballots against the params in team-a's
		// namespace and by SubjectAccessReview, and its promotion write
		// passes the policies only because team-a's params name it.
		ns := teamB.watched[0]
		grantPeople(ns)
		key := proposeSample(ns)
		decideSample(key)
		Eventually(proposalPhase(key)).WithTimeout(time.Minute).Should(Equal(v1.PhaseApplied))
		var role v1.Role
		Expect(admin.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: sampleRole}, &role)).To(Succeed())
		Expect(cellOf(&role, "kubernetes-core", "senior").Proficiency).To(Equal(v1.ProficiencyID("V")))
		// It watches the params by name and reads them from that watch:
		// a list or watch the params Role's resourceNames allow, and no
		// live read at the decision.
		watched, readLive := paramsRequests(teamB)
		Expect(watched).To(BeTrue(), "team-b never listed or watched the params in %s", teamB.paramsNamespace)
		Expect(readLive).To(BeFalse(), "team-b read the params live at a decision, past their watch")
	})

	It("sends no request, read or write, for another install's namespaces or cluster-wide for namespaced data", func() {
		for _, i := range []*install{teamA, teamB} {
			allowed := append(slices.Clone(i.watched), i.namespace, i.paramsNamespace)
			var writesInWatched int
			for _, r := range i.requests.all() {
				switch {
				case r.resource == "":
					// Discovery (/api, /apis/GROUP/VERSION): names no object.
				case r.namespace == "":
					// Cluster-wide: only what is cluster-scoped by nature.
					Expect(clusterScoped).To(HaveKey(r.resource), "%s sent %s", i.release, r)
				case !slices.Contains(allowed, r.namespace):
					Fail(fmt.Sprintf("%s sent %s, outside %v", i.release, r, allowed))
				case !slices.Contains(i.watched, r.namespace):
					// Its own namespace: the Lease and its Events; the
					// params namespace: the params, read by name.
					Expect(r.resource).To(BeElementOf(ownNamespaceResources(i, r)), "%s sent %s", i.release, r)
				case r.mutating():
					writesInWatched++
				}
			}
			Expect(writesInWatched).To(BeNumerically(">", 0), "%s wrote nothing in its namespaces", i.release)
			AddReportEntry(i.release, fmt.Sprintf("%d requests, %d writes in %v, none elsewhere",
				len(i.requests.all()), writesInWatched, i.watched))
		}
	})

	It("reads the params live, and still promotes, where RBAC lets it get them but not watch them", func() {
		// RBAC written for the operator before it watched the params (the
		// chart granted get alone): the informer cannot list, so each
		// decision reads the params by name.
		paramsRole := client.ObjectKey{Namespace: teamB.paramsNamespace, Name: teamB.serviceAccount() + "-admission-params"}
		setVerbs(paramsRole, []string{"get"})
		DeferCleanup(setVerbs, paramsRole, []string{"get", "list", "watch"})
		restartManager(teamB)
		ns := teamB.watched[0]
		p := &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "kubernetes-senior-back"},
			Spec: v1.ProposalSpec{RoleRef: sampleRole, Author: alice, Title: "Kubernetes Core back to Awareness at Senior",
				Changes: []v1.Change{{Op: v1.OpSetProficiency, Skill: "kubernetes-core", Level: "senior", Proficiency: "A",
					From: &v1.ChangeValue{Proficiency: "V"}}}}}
		Expect(person(alice).Create(suiteCtx, p)).To(Succeed())
		key := client.ObjectKeyFromObject(p)
		decideSample(key)
		Eventually(proposalPhase(key)).WithTimeout(time.Minute).Should(Equal(v1.PhaseApplied))
		_, readLive := paramsRequests(teamB)
		Expect(readLive).To(BeTrue(), "team-b promoted without reading the params it cannot watch")
		// Specs added later find team-b as installed.
		setVerbs(paramsRole, []string{"get", "list", "watch"})
		restartManager(teamB)
	})
})

// paramsRequests says whether i listed or watched its params namespace's
// ConfigMaps (the informer of the params, by name) and whether it read the
// params ConfigMap by name (live).
func paramsRequests(i *install) (watched, readLive bool) {
	list := "/api/v1/namespaces/" + i.paramsNamespace + "/configmaps"
	for _, r := range i.requests.all() {
		watched = watched || (r.method == http.MethodGet && r.path == list)
		readLive = readLive || (r.method == http.MethodGet && r.path == list+"/"+controller.AdmissionParamsName)
	}
	return watched, readLive
}

// clusterScoped are the resources a namespaced install may request without
// a namespace: the admission policies and bindings it checks, and the
// SubjectAccessReviews of governance.
var clusterScoped = map[string]bool{
	"validatingadmissionpolicies":       true,
	"validatingadmissionpolicybindings": true,
	"subjectaccessreviews":              true,
}

// ownNamespaceResources is what i may touch in its release namespace (the
// leader election Lease and the Events about it) and, read-only, in the
// params namespace.
func ownNamespaceResources(i *install, r request) []string {
	var ok []string
	if r.namespace == i.namespace {
		ok = append(ok, "leases", "events")
	}
	if r.namespace == i.paramsNamespace && !r.mutating() {
		ok = append(ok, "configmaps")
	}
	return ok
}

// cellOf is the cell of skill at level in role.
func cellOf(role *v1.Role, skill, level v1.ID) v1.Cell {
	for _, row := range role.Spec.Skills {
		if row.ID != skill {
			continue
		}
		for _, c := range row.Cells {
			if c.Level == level {
				return c
			}
		}
	}
	return v1.Cell{}
}
