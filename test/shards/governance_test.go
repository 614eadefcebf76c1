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
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// The people of the governance spec, all in the group engineers: alice
// proposes, bob and dave vote, carol reviews.
const (
	alice     = "alice"
	bob       = "bob"
	carol     = "carol"
	dave      = "dave"
	engineers = "engineers"
)

// person is a client acting as user, in the group engineers.
func person(user string) client.Client {
	GinkgoHelper()
	c, err := client.New(impersonating(user, engineers), client.Options{Scheme: testScheme})
	Expect(err).NotTo(HaveOccurred())
	return c
}

// grantPeople binds the ClusterRoles for people (installed by team-a's
// release only) in namespace.
func grantPeople(namespace string) {
	GinkgoHelper()
	for user, roles := range map[string][]string{
		alice: {"skillmatrix-proposer"},
		bob:   {"skillmatrix-voter"},
		dave:  {"skillmatrix-voter"},
		carol: {"skillmatrix-reviewer"},
	} {
		for _, role := range roles {
			Expect(admin.Create(suiteCtx, &rbacv1.RoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: user + "-" + role, Namespace: namespace},
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
				Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
			})).To(Succeed())
		}
	}
}

// proposeSample creates the sample Proposal in namespace as alice.
func proposeSample(namespace string) client.ObjectKey {
	GinkgoHelper()
	objs, err := testenv.ReadObjects(filepath.Join(repoRoot, "config", "samples", "career_v1alpha1_proposal.yaml"))
	Expect(err).NotTo(HaveOccurred())
	Expect(objs).To(HaveLen(1))
	objs[0].SetNamespace(namespace)
	Expect(person(alice).Create(suiteCtx, objs[0])).To(Succeed())
	return client.ObjectKeyFromObject(objs[0])
}

// updateProposal changes a Proposal as c, retrying on conflicts with the
// operator's status writes.
func updateProposal(c client.Client, key client.ObjectKey, change func(*v1.Proposal)) {
	GinkgoHelper()
	Expect(retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var p v1.Proposal
		if err := c.Get(suiteCtx, key, &p); err != nil {
			return err
		}
		change(&p)
		return c.Update(suiteCtx, &p)
	})).To(Succeed())
}

// decideSample votes and reviews the sample Proposal until it is accepted.
func decideSample(key client.ObjectKey) {
	GinkgoHelper()
	groups := testenv.AuthenticatedGroups(engineers)
	for _, voter := range []string{bob, dave} {
		updateProposal(person(voter), key, func(p *v1.Proposal) {
			p.Spec.Votes = append(p.Spec.Votes, v1.Vote{Voter: v1.Username(voter), Decision: v1.VoteApprove, Groups: groups})
		})
	}
	updateProposal(person(carol), key, func(p *v1.Proposal) {
		p.Spec.Reviews = append(p.Spec.Reviews, v1.Review{Reviewer: carol, Decision: v1.ReviewApprove, Groups: groups})
	})
}

// proposalPhase reads the phase of a Proposal.
func proposalPhase(key client.ObjectKey) func() v1.ProposalPhase {
	return func() v1.ProposalPhase {
		var p v1.Proposal
		if err := admin.Get(suiteCtx, key, &p); err != nil {
			return v1.ProposalPhase(err.Error())
		}
		return p.Status.Phase
	}
}
