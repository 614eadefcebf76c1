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
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	careerv1alpha1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/internal/managerproc"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// The sample Proposal as the plugin creates it: the sample's name, title
// and changes (config/samples/career_v1alpha1_proposal.yaml).
const (
	sampleTitle       = "Raise Kubernetes Core to Advanced at Senior and require it from Junior"
	sampleDescription = "Seniors run GPU scheduling and custom operators on the clusters their models use."
)

// approve is the decision of the plugin's vote and review and of the
// portal's forms.
const approve = "approve"

// The plugin's commands of the next steps, after "kubectl skillmatrix -n demo":
// printed, and in check mode run as the users they name.
func (d *demo) proposeArgs() []string {
	return []string{"propose", sampleRoleName, "--name", d.proposal, "--set", "kubernetes-core@senior=V",
		"--require", "kubernetes-core@junior", "--title", sampleTitle, "--description", sampleDescription}
}

func (d *demo) approveArgs(comment string) []string {
	args := []string{"vote", d.proposal, approve}
	if comment != "" {
		args = append(args, "-m", comment)
	}
	return args
}

func (d *demo) reviewArgs(decision, comment string) []string {
	args := []string{"review", d.proposal, decision}
	if comment != "" {
		args = append(args, "-m", comment)
	}
	return args
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

// shellWords quotes the arguments that need it for a shell.
func shellWords(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if a == "" || strings.ContainsAny(a, " \t'\"$`\\|&;<>()*?[]#~!{}") {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}

// pluginCommand prints the plugin command args run as user.
func (d *demo) pluginCommand(user string, args []string) string {
	return d.kubectl(user, "skillmatrix -n "+namespace+" "+shellWords(args))
}

// runPlugin runs the plugin as kubectl would for `kubectl skillmatrix
// -n demo args...` as user, printing the command first.
func (d *demo) runPlugin(ctx context.Context, user string, args []string) error {
	fmt.Printf("$ %s\n", d.pluginCommand(user, args))
	bin, err := filepath.Abs(d.opts.plugin)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{"-n", namespace}, args...)...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+filepath.Join(d.dir, user+".kubeconfig"))
	out, err := cmd.CombinedOutput()
	for l := range strings.SplitSeq(strings.TrimRight(string(out), "\n"), "\n") {
		fmt.Printf("    %s\n", l)
	}
	if err != nil {
		return fmt.Errorf("%s as %s: %w", shellWords(args), user, err)
	}
	return nil
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
	p("==> Try it in the browser: %s", d.proxyURL("/"))
	p("")
	p("  Sign in as one of the demo users (the sign-in page lists them; there are no passwords). Take a private")
	p("  window or a browser profile of its own per person, or Sign out to switch:")
	for _, u := range signInUsers() {
		p("    %-6s %s", u.Name, u.Note)
	}
	p("")
	p("  1. alice: open MLOps Engineer, \"Propose a change\", pick the cell Kubernetes Core at Senior,")
	p("     choose Advanced (V), Propose. The proposal records the value it replaces.")
	p("  2. bob and dave: open the proposal, choose Approve, \"Send my vote\". erin is refused, in words.")
	p("  3. carol, the expert: Approve in \"Your expert review\". With two approvals and one expert review the")
	p("     proposal is Accepted, then Applied, and the matrix changes. Every page is in English and Chinese.")
	p("  The portal acts as each of them (impersonation), so the cluster's RBAC and admission policies judge")
	p("  them exactly as they judge kubectl. Without sign-in the portal is read-only at %s", d.portalURL("/"))
	p("")
	d.printNotificationSteps(p)
	p("==> Or in a terminal, from %s, with the kubectl plugin (built into bin/):", d.root)
	p("")
	p("    export PATH=\"%s:$PATH\"", filepath.Join(d.root, filepath.Dir(d.opts.plugin)))
	p("")
	p("  1. alice proposes Kubernetes Core at Advanced (V) for Senior, and required at Junior:")
	p("    %s", d.pluginCommand("alice", d.proposeArgs()))
	p("  2. bob and dave approve:")
	p("    %s", d.pluginCommand("bob", d.approveArgs("Seniors run our GPU clusters.")))
	p("    %s", d.pluginCommand("dave", d.approveArgs("")))
	p("  3. carol, the expert, approves:")
	p("    %s", d.pluginCommand("carol", d.reviewArgs(approve, "Right for the Senior tech stack.")))
	p("  4. Where it stands (Accepted, then Applied), and the new Kubernetes Core row of the matrix:")
	p("    %s", d.pluginCommand("", []string{"status", d.proposal}))
	p("    %s", d.matrixRowCommand())
	p("")
	p("  kubectl finds the plugin on PATH as kubectl-skillmatrix; without kubectl, run %s with the same", d.opts.plugin)
	p("  arguments after \"skillmatrix\" (it reads KUBECONFIG). The kubeconfigs work with any client. More:")
	p("    %s", d.kubectl("", "get career -n "+namespace))
	p("    %s", d.kubectl("", "get cprop -n "+namespace+" -w"))
	p("    open %s        # the rendered matrix, rewritten when it changes", filepath.Join(d.relDir, htmlFile))
	p("")
	p("  Logs in %s: manager.log, portal.log, oauth2-proxy.log. Rules: docs/governance.md; the portal: docs/portal.md.",
		d.relDir)
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
		case <-d.proxy.Exited():
			return fmt.Errorf("oauth2-proxy: %w", d.proxy.Died())
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

// runCheck runs the printed next steps as the demo users: alice and dave
// with the plugin's printed commands, bob, erin and carol in the portal,
// signed in through oauth2-proxy and the issuer's sign-in page as a browser
// would; then verifies that the Proposal is Applied and the matrix shows
// the change.
func (d *demo) runCheck(ctx context.Context) error {
	d.printNextSteps()
	step("Check: alice and dave with the plugin; bob, erin and carol in the portal, signed in through oauth2-proxy")
	t := time.Now()
	before := string(d.lastMatrix.markdown)
	beforeRow, ok := markdownRow(before, "Kubernetes Core")
	if !ok {
		return errors.New("the rendered matrix has no Kubernetes Core row")
	}
	if err := d.runPlugin(ctx, "alice", d.proposeArgs()); err != nil {
		return fmt.Errorf("alice could not propose: %w", err)
	}
	if err := d.checkForgedHeader(ctx); err != nil {
		return err
	}
	page := "/ns/" + namespace + "/proposals/" + d.proposal
	if err := d.voteInPortal(ctx, "bob", page, "/vote", "Seniors run our GPU clusters.",
		"Your vote was recorded."); err != nil {
		return err
	}
	if err := d.checkPortalShows(ctx, "bob"); err != nil {
		return err
	}
	if err := d.refusedInPortal(ctx, "erin", page); err != nil {
		return err
	}
	if err := d.runPlugin(ctx, "dave", d.approveArgs("")); err != nil {
		return fmt.Errorf("dave could not vote: %w", err)
	}
	if err := d.checkForgedBallot(ctx); err != nil {
		return err
	}
	if err := d.voteInPortal(ctx, "carol", page, "/review", "Right for the Senior tech stack.",
		"Your review was recorded."); err != nil {
		return err
	}
	if err := d.waitApplied(ctx); err != nil {
		return err
	}
	fmt.Printf("$ %s\n", d.matrixRowCommand())
	var afterRow string
	err := d.waitFor(ctx, func(ctx context.Context) (bool, error) {
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
	if err := d.checkAppliedInPortal(ctx, page); err != nil {
		return err
	}
	if err := d.checkMail(ctx); err != nil {
		return err
	}
	if err := d.checkNoWarnings(ctx); err != nil {
		return err
	}
	fmt.Printf("\nPASS: the printed next steps work, with the plugin and signed in to the portal (%s; %s in all)\n",
		since(t), since(d.started))
	return nil
}

// voteInPortal signs who in and approves in the vote (or review) form of
// the Proposal page as their browser would.
func (d *demo) voteInPortal(ctx context.Context, who, page, form, comment, want string) error {
	what := strings.TrimPrefix(form, "/")
	fmt.Printf("browser: %s signs in at %s, opens %s and approves in the %s form\n", who, d.proxyURL("/"), page, what)
	p, _, err := d.signIn(ctx, who, page)
	if err != nil {
		return err
	}
	code, body, err := p.submit(ctx, page, page+form, url.Values{"decision": {approve}, "comment": {comment}})
	if err != nil {
		return err
	}
	if code != http.StatusOK || !strings.Contains(body, want) {
		return fmt.Errorf("%s's %s in the portal: %d, the page does not say %q", who, what, code, want)
	}
	fmt.Printf("    signed in as %s; the portal says: %s\n", who, want)
	return nil
}

// refusedInPortal has erin, whom no RoleBinding names, vote in the portal:
// the API server refuses, the portal says why, and nothing is written.
func (d *demo) refusedInPortal(ctx context.Context, who, page string) error {
	fmt.Printf("browser: %s, who has no rights here, signs in and tries to vote\n", who)
	p, body, err := d.signIn(ctx, who, page)
	if err != nil {
		return err
	}
	if !strings.Contains(body, "You may not vote on this proposal") {
		return fmt.Errorf("the portal does not tell %s she may not vote", who)
	}
	code, body, err := p.submit(ctx, page, page+"/vote", url.Values{"decision": {approve}})
	if err != nil {
		return err
	}
	const want = "You may not vote on this proposal"
	if code != http.StatusForbidden || !strings.Contains(body, want) || !strings.Contains(body, "Nothing was changed.") {
		return fmt.Errorf("%s's vote: %d, want 403 saying %q", who, code, want)
	}
	var prop careerv1alpha1.Proposal
	if err := d.admin.Get(ctx, client.ObjectKey{Namespace: namespace, Name: d.proposal}, &prop); err != nil {
		return err
	}
	for _, v := range prop.Spec.Votes {
		if string(v.Voter) == who {
			return fmt.Errorf("%s's refused vote was written", who)
		}
	}
	fmt.Printf("    refused (403): %s. Nothing was changed.\n", want)
	return nil
}

// checkForgedHeader sends a vote to the portal's own address with the
// identity headers a proxy might set, and no token: the portal believes
// none of them.
func (d *demo) checkForgedHeader(ctx context.Context) error {
	u := d.portalURL("/ns/" + namespace + "/proposals/" + d.proposal + "/vote")
	fmt.Printf("$ curl -si -X POST -H 'X-Forwarded-User: bob' -H 'X-Auth-Request-User: bob' -d decision=approve %s\n", u)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader("decision=approve"))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-User", "bob")
	req.Header.Set("X-Auth-Request-User", "bob")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		return fmt.Errorf("a forged identity header: %s, want 401", resp.Status)
	}
	fmt.Printf("    %s: the portal trusts no identity header, only tokens it verifies\n", resp.Status)
	return nil
}

// checkForgedBallot has dave create a Ballot that names bob as its voter,
// which the Ballot policy refuses: nobody casts anyone else's vote, with
// the plugin, the portal or any other client.
func (d *demo) checkForgedBallot(ctx context.Context) error {
	forged := &careerv1alpha1.Ballot{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: d.proposal + ".vote.forged-by-dave"},
		Spec: careerv1alpha1.BallotSpec{ProposalRef: careerv1alpha1.ObjectName(d.proposal), RoleRef: sampleRoleName,
			Kind: careerv1alpha1.BallotKindVote, Voter: "bob", Decision: careerv1alpha1.BallotReject,
			Groups: testenv.AuthenticatedGroups(demoGroup), ProposalGeneration: 1},
	}
	fmt.Printf("  dave creates Ballot %s with spec.voter bob, with his own kubeconfig (the Go client):\n", forged.Name)
	err := d.users["dave"].Create(ctx, forged)
	const want = `user "dave" may cast or change only their own ballot`
	if err == nil {
		return errors.New("dave's Ballot in bob's name was accepted; the Ballot policy must refuse it")
	}
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), want) {
		return fmt.Errorf("dave's Ballot in bob's name was refused, but not with %q: %w", want, err)
	}
	fmt.Printf("    refused, as it must be (Forbidden): %s\n", want)
	return nil
}

// checkAppliedInPortal loads the Proposal page through the proxy, in
// English and Chinese.
func (d *demo) checkAppliedInPortal(ctx context.Context, page string) error {
	p, _, err := d.signIn(ctx, "alice", page)
	if err != nil {
		return err
	}
	return d.waitFor(ctx, func(ctx context.Context) (bool, error) {
		_, en, err := p.get(ctx, d.proxyURL(page))
		if err != nil {
			return false, err
		}
		_, zh, err := p.get(ctx, d.proxyURL(page+"?lang=zh-CN"))
		if err != nil {
			return false, err
		}
		ok := strings.Contains(en, "<strong>Applied</strong>") && strings.Contains(zh, "<strong>已应用</strong>")
		if ok {
			fmt.Printf("    the portal shows the Proposal Applied, in English and in Chinese (已应用)\n")
		}
		return ok, nil
	})
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
