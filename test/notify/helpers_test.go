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

package notify

import (
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/mailpit"
)

func createSecret(namespace, name string, data map[string]string) {
	GinkgoHelper()
	Expect(k8sClient.Create(suiteCtx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		StringData: data})).To(Succeed())
}

// fastBatching sends a burst after half a second instead of five.
var fastBatching = &v1.NotificationBatching{Window: &metav1.Duration{Duration: 500 * time.Millisecond}}

// createProvider creates a provider of kind, reaching the receiver's
// channel (or mailpit), with its Secret.
func createProvider(namespace, name string, kind v1.NotificationProviderType,
	mutate func(*v1.NotificationProviderSpec)) {
	GinkgoHelper()
	spec := v1.NotificationProviderSpec{Type: kind, Batching: fastBatching,
		SecretRef: &v1.SecretReference{Name: v1.ObjectName(name)}}
	switch kind {
	case v1.ProviderSlack:
		createSecret(namespace, name, map[string]string{"address": hooks.url("slack", namespace+"-"+name)})
	case v1.ProviderMSTeams:
		createSecret(namespace, name, map[string]string{"address": hooks.url("teams", namespace+"-"+name)})
	case v1.ProviderWebhook:
		spec.Address = hooks.url("hook", namespace+"-"+name)
		createSecret(namespace, name, map[string]string{"token": hmacKey})
	case v1.ProviderSMTP:
		createSecret(namespace, name, map[string]string{"username": "operator", "password": "smtp-password"})
		// Each spec's people have mailboxes of their own: mailpit is shared.
		spec.SMTP = &v1.SMTPSettings{Host: mail.SMTPHost, Port: int32(mail.SMTPPort), From: "career@example.com",
			Security: v1.SMTPNone, UserDomain: domain(namespace)}
		spec.Follows = &v1.FollowDelivery{AllowedDomains: []string{domain(namespace)}}
	}
	if mutate != nil {
		mutate(&spec)
	}
	Expect(k8sClient.Create(suiteCtx, &v1.NotificationProvider{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}, Spec: spec})).To(Succeed())
}

// domain is the mail domain of a spec's namespace; mailbox an address there.
func domain(namespace string) string { return namespace + ".example.com" }

func mailbox(namespace, user string) string { return user + "@" + domain(namespace) }

func createRule(namespace, name, provider string, mutate func(*v1.NotificationRuleSpec)) {
	GinkgoHelper()
	spec := v1.NotificationRuleSpec{ProviderRef: v1.LocalReference{Name: v1.ObjectName(provider)},
		MatrixRef: "engineering"}
	if mutate != nil {
		mutate(&spec)
	}
	Expect(k8sClient.Create(suiteCtx, &v1.NotificationRule{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: spec})).To(Succeed())
}

func ruleReady(namespace, name string) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		var r v1.NotificationRule
		g.Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: namespace, Name: name}, &r)).To(Succeed())
		g.Expect(ready(r.Status.Conditions)).To(BeTrue(), "%+v", r.Status.Conditions)
	}).Should(Succeed())
}

func getRule(namespace, name string) *v1.NotificationRule {
	GinkgoHelper()
	var r v1.NotificationRule
	Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: namespace, Name: name}, &r)).To(Succeed())
	return &r
}

// vote casts user's vote on a Proposal, and review an expert's review:
// each a Ballot of its own, created as that user, as kubectl skillmatrix
// names and writes it.
func vote(user, namespace, name string, decision v1.VoteDecision, comment string) {
	GinkgoHelper()
	castBallot(user, namespace, name, v1.BallotKindVote, v1.BallotDecision(decision), comment)
}

func review(user, namespace, name string, decision v1.ReviewDecision, comment string) {
	GinkgoHelper()
	castBallot(user, namespace, name, v1.BallotKindReview, v1.BallotDecision(decision), comment)
}

func castBallot(user, namespace, name string, kind v1.BallotKind, decision v1.BallotDecision, comment string) {
	GinkgoHelper()
	var p v1.Proposal
	Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: namespace, Name: name}, &p)).To(Succeed())
	Expect(as(user).Create(suiteCtx, &v1.Ballot{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: v1.BallotName(p.Name, kind, v1.Username(user)),
			OwnerReferences: []metav1.OwnerReference{{APIVersion: v1.GroupVersion.String(), Kind: "Proposal",
				Name: p.Name, UID: p.UID}}},
		Spec: v1.BallotSpec{ProposalRef: v1.ObjectName(p.Name), RoleRef: p.Spec.RoleRef, Kind: kind,
			Voter: v1.Username(user), Decision: decision, Comment: comment,
			Groups: testenv.AuthenticatedGroups("engineers"), ProposalGeneration: p.Generation},
	})).To(Succeed())
}

// mailTo lists the messages mailpit holds for address.
func mailTo(address string) []mailpit.Summary {
	GinkgoHelper()
	all, err := mail.Messages(suiteCtx)
	Expect(err).NotTo(HaveOccurred())
	var out []mailpit.Summary
	for _, m := range all {
		if slices.ContainsFunc(m.To, func(a mailpit.Address) bool { return strings.EqualFold(a.Address, address) }) {
			out = append(out, m)
		}
	}
	return out
}

// waitMail waits for a message to address whose subject contains subject.
func waitMail(address, subject string) mailpit.Summary {
	GinkgoHelper()
	var found mailpit.Summary
	Eventually(func(g Gomega) {
		subjects := []string{}
		for _, m := range mailTo(address) {
			if strings.Contains(m.Subject, subject) {
				found = m
				return
			}
			subjects = append(subjects, m.Subject)
		}
		g.Expect(subjects).To(ContainElement(ContainSubstring(subject)), "mail to %s", address)
	}).Should(Succeed())
	return found
}

// waitDelivery waits for channel to receive a message whose text holds s.
func waitDelivery(channel, s string) delivery {
	GinkgoHelper()
	var found delivery
	Eventually(func(g Gomega) {
		var texts []string
		for _, d := range hooks.deliveries(channel) {
			if strings.Contains(d.text, s) {
				found = d
				return
			}
			texts = append(texts, d.text)
		}
		g.Expect(texts).To(ContainElement(ContainSubstring(s)), "deliveries to %s", channel)
	}).Should(Succeed())
	return found
}

// warnings lists the Warning Events about an object.
func warnings(namespace, name, reason string) []eventsv1.Event {
	GinkgoHelper()
	var list eventsv1.EventList
	Expect(k8sClient.List(suiteCtx, &list, client.InNamespace(namespace))).To(Succeed())
	var out []eventsv1.Event
	for _, e := range list.Items {
		if e.Regarding.Name == name && e.Type == corev1.EventTypeWarning && e.Reason == reason {
			out = append(out, e)
		}
	}
	return out
}

// counter reads a counter of the controller-runtime registry, summed over
// the series whose labels include want.
func counter(name string, want map[string]string) float64 {
	GinkgoHelper()
	families, err := ctrlmetrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	sum := 0.0
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if hasLabels(m, want) {
				if c := m.GetCounter(); c != nil {
					sum += c.GetValue()
				}
				if g := m.GetGauge(); g != nil {
					sum += g.GetValue()
				}
			}
		}
	}
	return sum
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	for k, v := range want {
		if !slices.ContainsFunc(m.GetLabel(), func(l *dto.LabelPair) bool { return l.GetName() == k && l.GetValue() == v }) {
			return false
		}
	}
	return true
}
