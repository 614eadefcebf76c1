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
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	careerv1alpha1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/internal/managerproc"
)

// A vote or review is a Ballot of its own (docs/api.md): the demo writes the
// users' Ballots as files into its directory, prints the kubectl command that
// creates each as its user and, in check mode, creates exactly those objects
// through the Go client.

// demoDave casts a vote and, first, a forgery in bob's name.
const demoDave = "dave"

// ballotFile is one Ballot the demo writes, and whose it is.
type ballotFile struct {
	file, user string
	ballot     *careerv1alpha1.Ballot
}

// demoBallot is voter's Ballot of kind on proposal, cast on its first
// generation and recording the groups the API server authenticates the
// demo users with, under the name kubectl skillmatrix gives it.
func demoBallot(proposal, voter string, kind careerv1alpha1.BallotKind,
	decision careerv1alpha1.BallotDecision) *careerv1alpha1.Ballot {
	return &careerv1alpha1.Ballot{
		TypeMeta: metav1.TypeMeta{APIVersion: careerv1alpha1.GroupVersion.String(), Kind: "Ballot"},
		ObjectMeta: metav1.ObjectMeta{Name: careerv1alpha1.BallotName(proposal, kind, careerv1alpha1.Username(voter)),
			Namespace: namespace},
		Spec: careerv1alpha1.BallotSpec{ProposalRef: careerv1alpha1.ObjectName(proposal), RoleRef: sampleRoleName, Kind: kind,
			Voter: careerv1alpha1.Username(voter), Decision: decision, Groups: demoGroups, ProposalGeneration: 1},
	}
}

// ballots are the Ballots of the next steps: dave's forgery in bob's name
// (which admission refuses), bob's and dave's votes and carol's review.
func (d *demo) ballots() (forged, bob, dave, carol ballotFile) {
	forgery := demoBallot(d.proposal, "bob", careerv1alpha1.BallotKindVote, careerv1alpha1.BallotReject)
	forgery.Name = d.proposal + ".vote.forged-by-dave"
	approve := func(file, user string, kind careerv1alpha1.BallotKind) ballotFile {
		return ballotFile{file, user, demoBallot(d.proposal, user, kind, careerv1alpha1.BallotApprove)}
	}
	return ballotFile{"forged-vote.yaml", demoDave, forgery},
		approve("bob-vote.yaml", "bob", careerv1alpha1.BallotKindVote),
		approve("dave-vote.yaml", demoDave, careerv1alpha1.BallotKindVote),
		approve("carol-review.yaml", "carol", careerv1alpha1.BallotKindReview)
}

// writeBallots writes the Ballots of the next steps into the demo
// directory, where the printed commands find them.
func (d *demo) writeBallots() error {
	forged, bob, dave, carol := d.ballots()
	for _, b := range []ballotFile{forged, bob, dave, carol} {
		data, err := yaml.Marshal(b.ballot)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(d.dir, b.file), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// kubeconfig is a user's kubeconfig ("" is the admin) as printed.
func (d *demo) kubeconfig(user string) string {
	if user == "" {
		return filepath.Join(d.relDir, adminKubeconfig)
	}
	return filepath.Join(d.relDir, user+".kubeconfig")
}

// kubectl prints a kubectl command run as user.
func (d *demo) kubectl(user, args string) string {
	return "KUBECONFIG=" + d.kubeconfig(user) + " kubectl " + args
}

// ballotCommand prints the kubectl command that creates a Ballot file as
// its user.
func (d *demo) ballotCommand(b ballotFile) string {
	return d.kubectl(b.user, "create -n "+namespace+" -f "+filepath.Join(d.relDir, b.file))
}

// proposeCommand prints alice's command that creates the sample Proposal.
func (d *demo) proposeCommand() string {
	return d.kubectl("alice", "apply -n "+namespace+" -f "+sampleProposal)
}

// matrixRowCommand prints the command that shows the Kubernetes Core row of
// the rendered Markdown matrix.
func (d *demo) matrixRowCommand() string {
	get := "get cm " + d.configMap + " -n " + namespace + ` -o jsonpath='{.data.matrix\.md}'`
	if d.compressed {
		get = "get cm " + d.configMap + " -n " + namespace + ` -o jsonpath='{.binaryData.matrix\.md\.gz}'` +
			" | base64 -d | gunzip"
	}
	return d.kubectl("", get) + " | grep 'Kubernetes Core |'"
}

// printNextSteps prints what to try while the demo runs.
func (d *demo) printNextSteps() {
	p := func(format string, a ...any) { fmt.Printf(format+"\n", a...) }
	p("")
	p("==> Try it. From %s, in another terminal:", d.root)
	p("")
	p("  The cluster as admin. The kubeconfigs work with any Kubernetes client (kubectl, k9s, Lens, client-go...);")
	p("  the demo itself does not need kubectl.")
	p("    %s", d.kubectl("", "get career -n "+namespace))
	p("    %s", d.kubectl("", "get roles.career.skillmatrix.dev -n "+namespace))
	p("")
	p("  The rendered matrix in a browser (the demo rewrites the file whenever the matrix changes):")
	p("    open %s        # Linux: xdg-open %s", filepath.Join(d.relDir, htmlFile), filepath.Join(d.relDir, htmlFile))
	p("")
	p("  The career portal (read-only; reload a page to see a vote):")
	p("    %s", d.portalURL("/ns/"+namespace+"/"))
	p("    %s   # the sample Proposal, once step 1 created it", d.proposalPageURL())
	p("    %s   # its Role's Atom feed", d.roleFeedURL())
	p("")
	d.printNotificationSteps(p)
	p("  Watch the proposal (leave it running in a terminal of its own):")
	p("    %s", d.kubectl("", "get cprop -n "+namespace+" -w"))
	p("")
	p("  1. alice proposes Kubernetes Core at Advanced (V) for Senior, and required at Junior:")
	p("    %s", d.proposeCommand())
	forged, bob, dave, carol := d.ballots()
	p("  2. dave tries to cast a Reject in bob's name (a Ballot naming bob); the API server refuses it (Forbidden):")
	p("    %s", d.ballotCommand(forged))
	p("  3. bob approves: his vote is a Ballot of its own, %s:", filepath.Join(d.relDir, bob.file))
	p("    %s", d.ballotCommand(bob))
	p("  4. dave approves, with a Ballot of his own:")
	p("    %s", d.ballotCommand(dave))
	p("  5. carol, the expert, approves with a Ballot of kind Review:")
	p("    %s", d.ballotCommand(carol))
	p("  6. Two approvals and one expert review: the proposal becomes Accepted, then Applied to the Role,")
	p("     and the operator re-renders the matrix (Kubernetes Core: Senior A -> V, Junior A -> A*):")
	p("    %s", d.matrixRowCommand())
	p("")
	p("  Each vote is an object of its own: nobody's write touches anyone else's, and a thousand people can vote")
	p("  at once. Change your mind by editing your own Ballot (kubectl edit cballot NAME -n %s); withdraw it", namespace)
	p("  by deleting it. kubectl skillmatrix vote and review write it for you. Rules: docs/governance.md.")
	p("")
	p("  Users (RoleBindings in namespace %s): alice skillmatrix-proposer, bob and dave skillmatrix-voter,", namespace)
	p("  carol skillmatrix-reviewer. Manager log: %s, portal log: %s", filepath.Join(d.relDir, managerLog),
		filepath.Join(d.relDir, portalLog))
	if _, port, err := net.SplitHostPort(d.opts.metricsAddr); err == nil && port != "0" {
		p("  Metrics: http://%s/metrics", d.opts.metricsAddr)
	}
	if _, port, err := net.SplitHostPort(d.opts.probeAddr); err == nil && port != "0" {
		p("  Health: http://%s/healthz and /readyz", d.opts.probeAddr)
	}
	p("")
}

// serve prints the next steps and then, until interrupted, reports changes to
// Proposals and to the matrix (rewriting matrix.html). It fails when the
// manager exits or the API server stops answering.
func (d *demo) serve(ctx context.Context) error {
	d.printNextSteps()
	fmt.Println("Running. Press Ctrl-C to stop the manager, kube-apiserver and etcd.")
	phases := map[string]string{}
	failures := 0
	var lastErr error
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-d.manager.Exited():
			return d.manager.Died()
		case <-d.portal.Exited():
			return fmt.Errorf("portal: %w", d.portal.Died())
		case <-tick.C:
		}
		if err := d.report(ctx, phases); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			failures++
			lastErr = err
			if failures >= 15 {
				return fmt.Errorf("the API server has not answered for 15s (logs in %s): %w", d.relDir, lastErr)
			}
			continue
		}
		failures = 0
	}
}

// report prints Proposal phase changes and matrix changes since the last call.
func (d *demo) report(ctx context.Context, phases map[string]string) error {
	var list careerv1alpha1.ProposalList
	if err := d.admin.List(ctx, &list, client.InNamespace(namespace)); err != nil {
		return err
	}
	for _, p := range list.Items {
		line := proposalLine(&p)
		if phases[p.Name] != line {
			phases[p.Name] = line
			fmt.Printf("[%s] proposal %s: %s\n", time.Now().Format(time.TimeOnly), p.Name, line)
		}
	}
	m, err := d.readMatrix(ctx, d.configMap)
	if err != nil {
		return err
	}
	if m.resourceVersion == d.lastMatrix.resourceVersion {
		return nil
	}
	changed := changedLines(string(d.lastMatrix.markdown), string(m.markdown))
	d.lastMatrix = m
	if len(changed) == 0 {
		return nil
	}
	if err := os.WriteFile(filepath.Join(d.dir, htmlFile), m.html, 0o644); err != nil {
		return err
	}
	fmt.Printf("[%s] matrix re-rendered, %s rewritten; changed lines of %s:\n",
		time.Now().Format(time.TimeOnly), filepath.Join(d.relDir, htmlFile), keyMarkdown)
	for _, l := range changed {
		fmt.Println("    " + l)
	}
	return nil
}

// proposalLine summarises a Proposal's status.
func proposalLine(p *careerv1alpha1.Proposal) string {
	phase := string(p.Status.Phase)
	if phase == "" {
		phase = "(not reconciled yet)"
	}
	s := phase
	if t := p.Status.Tally; t != nil {
		s += fmt.Sprintf(", approvals %d/%d, rejections %d, expert reviews %d/%d",
			t.Approvals, t.MinApprovals, t.Rejections, t.ReviewApprovals, t.RequiredReviews)
	}
	if p.Status.Message != "" {
		s += ": " + p.Status.Message
	}
	return s
}

// changedLines lists the lines only in before ("- ") and only in after
// ("+ "), at most 12 of each.
func changedLines(before, after string) []string {
	b, a := strings.Split(before, "\n"), strings.Split(after, "\n")
	var out []string
	for _, side := range []struct {
		sign       string
		from, than []string
	}{{"- ", b, a}, {"+ ", a, b}} {
		n := 0
		for _, l := range side.from {
			if strings.TrimSpace(l) != "" && !slices.Contains(side.than, l) && n < 12 {
				out = append(out, side.sign+l)
				n++
			}
		}
	}
	return out
}

// runCheck runs the printed next steps as the demo users, with the printed
// patch bodies, and verifies that the Proposal is Applied and the matrix
// shows the change.
func (d *demo) runCheck(ctx context.Context) error {
	d.printNextSteps()
	step("Check: running the next steps as alice, dave, bob and carol")
	t := time.Now()
	before := string(d.lastMatrix.markdown)
	beforeRow, ok := markdownRow(before, "Kubernetes Core")
	if !ok {
		return errors.New("the rendered matrix has no Kubernetes Core row")
	}

	obj, err := d.sampleProposalObject()
	if err != nil {
		return err
	}
	fmt.Printf("$ %s\n", d.proposeCommand())
	if err := d.users["alice"].Create(ctx, obj); err != nil {
		return fmt.Errorf("alice could not create the Proposal: %w", err)
	}
	fmt.Printf("    created proposal %s/%s as alice\n", namespace, obj.GetName())

	forged, bob, dave, carol := d.ballots()
	if err := d.expectRefused(ctx, "step 2, refused by the admission policy", forged,
		`user "dave" may cast or change only their own ballot`); err != nil {
		return err
	}
	if err := d.castAs(ctx, bob); err != nil {
		return err
	}
	if err := d.checkPortalShows(ctx, "bob"); err != nil {
		return err
	}
	if err := d.castAs(ctx, dave); err != nil {
		return err
	}
	if err := d.expectChangeRefused(ctx, "the note: nobody's write touches anyone else's", "bob", dave,
		`user "bob" may cast or change only their own ballot`); err != nil {
		return err
	}
	if err := d.castAs(ctx, carol); err != nil {
		return err
	}

	if err := d.waitApplied(ctx); err != nil {
		return err
	}

	fmt.Printf("$ %s\n", d.matrixRowCommand())
	var afterRow string
	err = d.waitFor(ctx, func(ctx context.Context) (bool, error) {
		m, err := d.readMatrix(ctx, d.configMap)
		if err != nil {
			return false, nil //nolint:nilerr // transient: keep polling
		}
		afterRow, _ = markdownRow(string(m.markdown), "Kubernetes Core")
		return kubernetesCoreChanged(afterRow), nil
	})
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("the matrix did not show the change within %s: before %q, now %q%s",
			d.opts.timeout, beforeRow, afterRow, d.manager.Tail(managerproc.TailLines))
	}
	if err != nil {
		return err
	}
	fmt.Printf("    before: %s\n    after:  %s\n", beforeRow, afterRow)
	if err := d.checkMail(ctx); err != nil {
		return err
	}
	if err := d.checkNoWarnings(ctx); err != nil {
		return err
	}
	fmt.Printf("\nPASS: the printed next steps work (%s; %s in all)\n", since(t), since(d.started))
	return nil
}

// checkNoWarnings fails when the flow emitted a Warning Event: a Warning
// means a person must act, and nothing in a healthy flow needs one.
func (d *demo) checkNoWarnings(ctx context.Context) error {
	fmt.Printf("$ %s\n", d.kubectl("", "get events -n "+namespace+" --field-selector type=Warning"))
	var events eventsv1.EventList
	if err := d.admin.List(ctx, &events, client.InNamespace(namespace)); err != nil {
		return fmt.Errorf("listing the demo's Events: %w", err)
	}
	var warnings []string
	normal := 0
	for _, e := range events.Items {
		if e.Type == corev1.EventTypeWarning {
			warnings = append(warnings, fmt.Sprintf("%s %s: %s", e.Regarding.Name, e.Reason, e.Note))
		} else {
			normal++
		}
	}
	if len(warnings) > 0 {
		return fmt.Errorf("the flow emitted %d Warning Events, want none:\n  %s", len(warnings),
			strings.Join(warnings, "\n  "))
	}
	fmt.Printf("    no Warning Event (%d Normal)\n", normal)
	return nil
}

// waitApplied follows the sample Proposal, printing each change of its
// phase and tally, until it is Applied; any other final phase fails.
func (d *demo) waitApplied(ctx context.Context) error {
	fmt.Printf("$ %s\n", d.kubectl("", "get cprop -n "+namespace+" -w"))
	proposal := &careerv1alpha1.Proposal{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: d.proposal}}
	last := ""
	err := d.waitFor(ctx, func(ctx context.Context) (bool, error) {
		if err := d.admin.Get(ctx, client.ObjectKeyFromObject(proposal), proposal); err != nil {
			return false, nil //nolint:nilerr // transient: keep polling
		}
		if line := proposalLine(proposal); line != last {
			last = line
			fmt.Printf("    %s\n", line)
		}
		switch phase := proposal.Status.Phase; {
		case phase == careerv1alpha1.PhaseApplied:
			return true, nil
		case phase.IsClosed():
			return false, fmt.Errorf("the proposal ended %s, not Applied: %s", phase, proposal.Status.Message)
		}
		return false, nil
	})
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("the proposal was not Applied within %s (last: %s)%s", d.opts.timeout, last,
			d.manager.Tail(managerproc.TailLines))
	}
	return err
}

// patchAs sends a JSON patch to the demo Proposal as user, printing the
// kubectl command it stands for.
func (d *demo) castAs(ctx context.Context, b ballotFile) error {
	fmt.Printf("$ %s\n", d.ballotCommand(b))
	if err := d.users[b.user].Create(ctx, b.ballot.DeepCopy()); err != nil {
		return fmt.Errorf("%s's ballot %s was refused: %w", b.user, b.file, err)
	}
	fmt.Printf("    ballot %s created as %s\n", b.ballot.Name, b.user)
	return nil
}

// expectRefused creates a Ballot file as its user, which the API server must
// refuse as Forbidden with a message containing want; what says why.
func (d *demo) expectRefused(ctx context.Context, what string, b ballotFile, want string) error {
	fmt.Printf("$ %s    # %s\n", d.ballotCommand(b), what)
	return refusal(d.users[b.user].Create(ctx, b.ballot.DeepCopy()), b.user+"'s ballot "+b.file, what, want)
}

// expectChangeRefused has user try to change the decision of someone
// else's Ballot, which the API server must refuse.
func (d *demo) expectChangeRefused(ctx context.Context, what, user string, b ballotFile, want string) error {
	fmt.Printf("$ %s    # %s\n", d.kubectl(user, "patch cballot "+b.ballot.Name+" -n "+namespace+
		` --type=merge -p '{"spec":{"decision":"Reject"}}'`), what)
	target := &careerv1alpha1.Ballot{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: b.ballot.Name}}
	patch := client.RawPatch(types.MergePatchType, []byte(`{"spec":{"decision":"Reject"}}`))
	err := d.users[user].Patch(ctx, target, patch)
	return refusal(err, user+"'s change of "+b.ballot.Name, what, want)
}

func refusal(err error, request, what, want string) error {
	if err == nil {
		return fmt.Errorf("%s was accepted; it must be refused (%s)", request, what)
	}
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), want) {
		return fmt.Errorf("%s was refused, but not with %q: %w", request, want, err)
	}
	fmt.Printf("    refused, as it must be (%s): %v\n", apierrors.ReasonForError(err), err)
	return nil
}

// markdownRow returns the table row of matrix.md whose first cell is name.
func markdownRow(md, name string) (string, bool) {
	for l := range strings.SplitSeq(md, "\n") {
		if strings.HasPrefix(l, "| "+name+" |") {
			return l, true
		}
	}
	return "", false
}

// kubernetesCoreChanged reports whether the Kubernetes Core row shows the
// sample Proposal's changes: required at Junior (a bold code with an
// asterisk) and Advanced (V) at Senior, the first and third level columns.
func kubernetesCoreChanged(row string) bool {
	cells := strings.Split(strings.Trim(row, "| "), " | ")
	if len(cells) < 4 {
		return false
	}
	return strings.HasSuffix(cells[1], `\*`) && strings.Trim(cells[3], `*\`) == "V"
}
