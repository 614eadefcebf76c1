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

package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// FieldManagerPrefix starts the server-side apply field manager of a user's
// ballots (and, before Ballots, of their entries of spec.votes and
// spec.reviews); the username follows. Server-side apply tracks ownership
// per manager name, so every user needs a manager of their own.
const FieldManagerPrefix = "kubectl-skillmatrix-"

// maxManagerLen is the API server's limit on a field manager name.
const maxManagerLen = 128

// fieldManager is the field manager of user's votes and reviews.
func fieldManager(user string) string {
	m := FieldManagerPrefix + user
	if len(m) <= maxManagerLen {
		return m
	}
	sum := sha256.Sum256([]byte(user))
	suffix := "-" + hex.EncodeToString(sum[:8])
	return m[:maxManagerLen-len(suffix)] + suffix
}

const withdraw = "withdraw"

// entry describes votes or reviews for the shared implementation.
type entry struct {
	noun      string // "vote"
	verb      string // "vote on"
	kind      v1.BallotKind
	field     string // the legacy list: "votes"
	decisions map[string]v1.BallotDecision
	usage     string
}

var (
	voteEntry = entry{
		noun: "vote", verb: "vote on", kind: v1.BallotKindVote, field: "votes",
		decisions: map[string]v1.BallotDecision{"approve": v1.BallotApprove, "reject": v1.BallotReject},
		usage:     "approve, reject or withdraw",
	}
	reviewEntry = entry{
		noun: verbReview, verb: verbReview, kind: v1.BallotKindReview, field: "reviews",
		decisions: map[string]v1.BallotDecision{"approve": v1.BallotApprove, "request-changes": v1.BallotRequestChanges},
		usage:     "approve, request-changes or withdraw",
	}
)

// castOptions are the flags of vote and review.
type castOptions struct{ comment, dryRun, format string }

// addCastFlags adds the flags vote and review share besides -m.
func addCastFlags(cmd *cobra.Command, opts *castOptions) {
	cmd.Flags().StringVarP(&opts.format, "output", "o", formatText, "format: text, json or yaml (your Ballot as stored), or name")
	addDryRunFlag(cmd.Flags(), &opts.dryRun, "your Ballot")
}

func newVoteCommand(o *options) *cobra.Command {
	opts := &castOptions{}
	cmd := &cobra.Command{
		Use:   "vote PROPOSAL approve|reject|withdraw [-m COMMENT]",
		Short: "Cast, change or withdraw your vote on a Proposal",
		Long: `Cast your vote on a Proposal, change it, or withdraw it.

Your vote is a Ballot of its own (ballots.career.skillmatrix.dev), written
with server-side apply under the field manager
"kubectl-skillmatrix-<your username>" and named after the Proposal, the kind
and your username: voting again writes the same object (changing your mind
is one write of your own ballot), and a retry after a lost answer finds the
stored vote instead of failing. No other vote is read or rewritten, so any
number of people vote at once without contending. The admission policy
checks that the ballot is yours and that RBAC grants you the verb "vote" on
the Proposal; the operator counts it on the Proposal's text as it is now
(an edit of the title or description makes earlier ballots stale: vote
again). The author of a Proposal cannot vote on it. withdraw deletes your
ballot (and your entry of spec.votes, from before Ballots).

--dry-run=client prints the Ballot that would be applied; --dry-run=server
sends it with dryRun=All, so the API server and the admission policy judge
it (a vote that is not yours is refused) and nothing is written.`,
		Example: `  kubectl skillmatrix vote mlops-engineer-raise-kubernetes-core approve -m "Matches our interviews."
  kubectl skillmatrix vote mlops-engineer-raise-kubernetes-core reject -m "Seniors rarely touch clusters here."
  kubectl skillmatrix vote mlops-engineer-raise-kubernetes-core withdraw`,
		Args: args(2, 2, "PROPOSAL and a decision ("+voteEntry.usage+")"),
		RunE: func(cmd *cobra.Command, a []string) error {
			return o.cast(cmd.Context(), voteEntry, a[0], a[1], opts)
		},
	}
	cmd.Flags().StringVarP(&opts.comment, "comment", "m", "", "why you vote so")
	addCastFlags(cmd, opts)
	return cmd
}

func newReviewCommand(o *options) *cobra.Command {
	opts := &castOptions{}
	cmd := &cobra.Command{
		Use:   "review PROPOSAL approve|request-changes|withdraw [-m COMMENT]",
		Short: "Review a Proposal as a designated expert",
		Long: `Add, change or withdraw your expert review of a Proposal.

Reviewing needs the RBAC verb "review" on the career Role the Proposal
changes (the ClusterRole skillmatrix-reviewer grants it); the admission policy
asks the API server's authorizer. A standing request-changes review blocks
acceptance. Like a vote, the review is a Ballot of its own, written with
server-side apply under the field manager "kubectl-skillmatrix-<your
username>", so concurrent reviews never contend. --dry-run and -o work as
for vote.`,
		Example: `  kubectl skillmatrix review mlops-engineer-raise-kubernetes-core approve -m "Right for GPU scheduling work."
  kubectl skillmatrix review mlops-engineer-raise-kubernetes-core request-changes -m "Say what Advanced means here."`,
		Args: args(2, 2, "PROPOSAL and a decision ("+reviewEntry.usage+")"),
		RunE: func(cmd *cobra.Command, a []string) error {
			return o.cast(cmd.Context(), reviewEntry, a[0], a[1], opts)
		},
	}
	cmd.Flags().StringVarP(&opts.comment, "comment", "m", "", "what the author should know")
	addCastFlags(cmd, opts)
	return cmd
}

func (o *options) cast(ctx context.Context, e entry, name, decision string, opts *castOptions) error {
	d := strings.ToLower(strings.ReplaceAll(decision, "_", "-"))
	value, ok := e.decisions[d]
	if !ok && d != withdraw {
		return usageErrorf("%q is not a %s decision: want %s", decision, e.noun, e.usage)
	}
	if d == withdraw && opts.comment != "" {
		return usageErrorf("withdraw takes no comment")
	}
	if err := checkOutput(opts.format, formatText, formatJSON, formatYAML, formatName); err != nil {
		return err
	}
	mode, err := parseDryRun(opts.dryRun)
	if err != nil {
		return err
	}
	s, err := o.connect()
	if err != nil {
		return err
	}
	info, err := s.userInfo(ctx)
	if err != nil {
		return err
	}
	me := info.Username
	p, err := s.getProposal(ctx, name)
	if err != nil {
		return err
	}
	if string(p.Spec.Author) == me {
		return fmt.Errorf("you (%s) are the author of proposal %q: authors cannot %s their own proposal", me, name, e.verb)
	}
	if p.Status.Phase.VotesFrozen() {
		return fmt.Errorf("proposal %q is closed (phase %s): votes and reviews can no longer change", name, p.Status.Phase)
	}
	if d == withdraw {
		return o.withdrawCast(ctx, s, e, p, me, opts.format, mode)
	}
	mine, err := s.ballotsOf(ctx, p.Name, e.kind, me)
	if err != nil {
		return err
	}
	b := newBallot(e, p, info, value, opts.comment, ballotNameFor(p, e, me, mine))
	if mode == dryRunClient {
		return o.printCast(e, b, me, nil, opts.format, mode)
	}
	stored, err := s.applyBallot(ctx, b, me, mode)
	if err != nil {
		return err
	}
	if mode == dryRunNone {
		// Older ballots of one's own are superseded by this one; removing
		// them keeps one ballot per person, and failing to is harmless.
		for i := range mine {
			if mine[i].Name != stored.Name {
				_ = s.c.Delete(ctx, &mine[i], client.Preconditions{UID: &mine[i].UID})
			}
		}
	}
	tally := s.tallyAfter(ctx, p, stored)
	return o.printCast(e, stored, me, tally, opts.format, mode)
}

// ballotNameFor is the name of the Ballot to write: the newest of one's
// own ballots of the kind, else the name kubectl skillmatrix always gives
// it (v1.BallotName).
func ballotNameFor(p *v1.Proposal, e entry, me string, mine []v1.Ballot) string {
	if len(mine) == 0 {
		return v1.BallotName(p.Name, e.kind, v1.Username(me))
	}
	newest := slices.MaxFunc(mine, func(a, b v1.Ballot) int {
		if c := a.CreationTimestamp.Compare(b.CreationTimestamp.Time); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return newest.Name
}

// newBallot is the Ballot of who (their username and groups) on p: owned by
// p, so it goes when p is deleted, and cast on p's generation as read.
func newBallot(e entry, p *v1.Proposal, who authenticationv1.UserInfo, decision v1.BallotDecision, comment, name string) *v1.Ballot {
	return &v1.Ballot{
		TypeMeta: metav1.TypeMeta{APIVersion: v1.GroupVersion.String(), Kind: kindBallot},
		ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: name,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: v1.GroupVersion.String(), Kind: kindProposal,
				Name: p.Name, UID: p.UID}}},
		Spec: v1.BallotSpec{ProposalRef: v1.ObjectName(p.Name), RoleRef: p.Spec.RoleRef, Kind: e.kind,
			Voter: v1.Username(who.Username), Decision: decision, Comment: comment, Groups: who.Groups,
			ProposalGeneration: p.Generation},
	}
}

// ballotsOf lists the Ballots of voter of kind on the Proposal, by the
// Ballot CRD's selectable fields; an API server that cannot select by them
// is asked for the namespace's Ballots, filtered here.
func (s *session) ballotsOf(ctx context.Context, proposal string, kind v1.BallotKind, voter string) ([]v1.Ballot, error) {
	var list v1.BallotList
	fields := client.MatchingFields{"spec.proposalRef": proposal}
	if voter != "" {
		fields["spec.voter"], fields["spec.kind"] = voter, string(kind)
	}
	err := s.c.List(ctx, &list, client.InNamespace(s.ns), fields)
	if apierrors.IsBadRequest(err) {
		err = s.c.List(ctx, &list, client.InNamespace(s.ns))
	}
	if err != nil {
		return nil, s.explain(err, "list", resBallots, "")
	}
	return slices.DeleteFunc(list.Items, func(b v1.Ballot) bool {
		return string(b.Spec.ProposalRef) != proposal || voter != "" && (string(b.Spec.Voter) != voter || b.Spec.Kind != kind)
	}), nil
}

// applyBallot writes b with server-side apply under voter's field manager
// (dryRun=All for a server dry run) and returns it as the API server
// answered. Server-side apply is idempotent: the same command sent twice,
// or again after an answer that was lost, stores the same ballot. When the
// name is someone else's Ballot (a name can be taken first), it creates
// one under another name instead.
func (s *session) applyBallot(ctx context.Context, b *v1.Ballot, voter string, mode dryRun) (*v1.Ballot, error) {
	opts := []client.ApplyOption{client.FieldOwner(fieldManager(voter)), client.ForceOwnership}
	if mode == dryRunServer {
		opts = append(opts, client.DryRunAll)
	}
	u, err := toUnstructured(b)
	if err != nil {
		return nil, err
	}
	err = s.c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), opts...)
	if err != nil {
		var taken v1.Ballot
		if getErr := s.c.Get(ctx, client.ObjectKeyFromObject(b), &taken); getErr != nil || string(taken.Spec.Voter) == voter {
			return nil, s.explain(err, "patch", resBallots, b.Name)
		}
		// Someone else holds the name: a ballot of one's own under another
		// (the name of a salted voter: as short, as valid).
		fresh := b.DeepCopy()
		fresh.Name = v1.BallotName(string(b.Spec.ProposalRef), b.Spec.Kind, v1.Username(voter+"\n"+utilrand.String(8)))
		var createOpts []client.CreateOption
		if mode == dryRunServer {
			createOpts = append(createOpts, client.DryRunAll)
		}
		if err := s.c.Create(ctx, fresh, append(createOpts, client.FieldOwner(fieldManager(voter)))...); err != nil {
			return nil, s.explain(err, "create", resBallots, fresh.Name)
		}
		return fresh, nil
	}
	stored := &v1.Ballot{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, stored); err != nil {
		return nil, fmt.Errorf("reading the API server's answer for ballot %q: %w", b.Name, err)
	}
	return stored, nil
}

func toUnstructured(obj runtime.Object) (*unstructured.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{Object: m}
	// Server-side apply refuses a creationTimestamp, which the typed object
	// carries as null.
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	return u, nil
}

// withdrawCast deletes one's ballots of e's kind on p and one's entry of
// spec.votes or spec.reviews, which is how votes were cast before Ballots.
// What is already gone is no error: a retry of a withdrawal succeeds.
func (o *options) withdrawCast(ctx context.Context, s *session, e entry, p *v1.Proposal, me, format string, mode dryRun) error {
	mine, err := s.ballotsOf(ctx, p.Name, e.kind, me)
	if err != nil {
		return err
	}
	legacy := legacyIndex(e, &p.Spec, me)
	if mode != dryRunClient {
		var opts []client.DeleteOption
		if mode == dryRunServer {
			opts = append(opts, client.DryRunAll)
		}
		for i := range mine {
			if err := s.c.Delete(ctx, &mine[i], opts...); err != nil && !apierrors.IsNotFound(err) {
				return s.explain(err, "delete", resBallots, mine[i].Name)
			}
		}
		if legacy >= 0 {
			if err := s.removeLegacyEntry(ctx, e, p, legacy, me, mode); err != nil {
				return err
			}
		}
	}
	switch format {
	case formatJSON, formatYAML:
		list := &v1.BallotList{TypeMeta: metav1.TypeMeta{APIVersion: v1.GroupVersion.String(), Kind: kindBallot + "List"}}
		for i := range mine {
			list.Items = append(list.Items, *printableBallot(&mine[i]))
		}
		return writeData(o.streams.Out, format, list)
	case formatName:
		for i := range mine {
			if _, err := fmt.Fprintln(o.streams.Out, ballotRef(mine[i].Name)); err != nil {
				return err
			}
		}
		return nil
	}
	out := &printer{w: o.streams.Out}
	if len(mine) == 0 && legacy < 0 {
		out.f("%s: no %s of %s to withdraw%s\n", p.Name, e.noun, me, mode.suffix())
		return out.err
	}
	out.f("%s: %s withdrawn for %s%s\n", p.Name, e.noun, me, mode.suffix())
	if mode == dryRunNone {
		out.f("Status: kubectl skillmatrix status %s\n", p.Name)
	}
	return out.err
}

// legacyIndex is the index of me's entry in e's list of spec, or -1.
func legacyIndex(e entry, spec *v1.ProposalSpec, me string) int {
	if e.kind == v1.BallotKindVote {
		return slices.IndexFunc(spec.Votes, func(v v1.Vote) bool { return string(v.Voter) == me })
	}
	return slices.IndexFunc(spec.Reviews, func(r v1.Review) bool { return string(r.Reviewer) == me })
}

// removeLegacyEntry removes me's entry at index i of e's list with a JSON
// patch that first tests the entry is still me's there.
func (s *session) removeLegacyEntry(ctx context.Context, e entry, p *v1.Proposal, i int, me string, mode dryRun) error {
	key := "voter"
	if e.kind == v1.BallotKindReview {
		key = "reviewer"
	}
	path := fmt.Sprintf("/spec/%s/%d", e.field, i)
	patch, err := json.Marshal([]map[string]any{
		{"op": "test", "path": path + "/" + key, "value": me},
		{"op": "remove", "path": path},
	})
	if err != nil {
		return err
	}
	opts := []client.PatchOption{client.FieldOwner(fieldManager(me))}
	if mode == dryRunServer {
		opts = append(opts, client.DryRunAll)
	}
	target := &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: p.Name, UID: p.UID}}
	if err := s.c.Patch(ctx, target, client.RawPatch(types.JSONPatchType, patch), opts...); err != nil {
		return s.explain(err, "patch", resProposals, p.Name)
	}
	return nil
}

// tallyAfter counts the Proposal's ballots, with written as it was written
// (or, in a server dry run, would be), as the operator will once it sees
// them (governance.Judge's Collect, without the authority re-check it alone
// can make); nil when they cannot be read.
func (s *session) tallyAfter(ctx context.Context, p *v1.Proposal, written *v1.Ballot) *governance.Tally {
	all, err := s.ballotsOf(ctx, p.Name, "", "")
	if err != nil {
		return nil
	}
	all = slices.DeleteFunc(all, func(b v1.Ballot) bool { return b.Name == written.Name })
	all = append(all, *written)
	in := governance.ProposalInput(p, governance.Pointers(all), "")
	deadline := governance.Deadline(p.CreationTimestamp.Time, governance.Defaults)
	if p.Status.Deadline != nil {
		deadline = p.Status.Deadline.Time
	}
	c := governance.Collect(&in, deadline)
	t := governance.CountBallots(eligible(c.Counted, governance.RevokedFrom(p.Status.Uncounted)))
	return &t
}

// printCast prints the ballot as stored, in format.
func (o *options) printCast(e entry, b *v1.Ballot, me string, tally *governance.Tally, format string, mode dryRun) error {
	switch format {
	case formatJSON, formatYAML:
		return writeData(o.streams.Out, format, printableBallot(b))
	case formatName:
		_, err := fmt.Fprintln(o.streams.Out, ballotRef(b.Name))
		return err
	}
	out := &printer{w: o.streams.Out}
	out.f("%s: %s %s as %s (ballot %s)%s\n", b.Spec.ProposalRef, e.noun, b.Spec.Decision, me, b.Name, mode.suffix())
	if tally != nil {
		out.f("Votes: %d approving, %d rejecting. Reviews: %d approving, %d requesting changes.\n",
			tally.Approvals, tally.Rejections, tally.ReviewApprovals, tally.ChangesRequested)
	}
	switch mode {
	case dryRunClient, dryRunServer:
		out.ln("Nothing was written.")
	default:
		out.f("Status: kubectl skillmatrix status %s\n", b.Spec.ProposalRef)
	}
	return out.err
}

// ballotRef is how -o name names a Ballot, as kubectl does.
func ballotRef(name string) string { return "ballot.career.skillmatrix.dev/" + name }

// printableBallot is b as `kubectl get -o yaml` shows it.
func printableBallot(b *v1.Ballot) *v1.Ballot {
	out := b.DeepCopy()
	out.APIVersion, out.Kind = v1.GroupVersion.String(), kindBallot
	out.ManagedFields = nil
	return out
}
