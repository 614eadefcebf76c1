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
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	authenticationv1 "k8s.io/api/authentication/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// FieldManagerPrefix starts the server-side apply field manager of a user's
// vote or review; the username follows. Server-side apply tracks ownership
// per manager name, so every user needs a manager of their own: under one
// shared name, one user's apply would remove the other's entry.
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
	noun       string // "vote"
	verb       string // "vote on"
	field, key string // "votes", "voter"
	decisions  map[string]string
	usage      string
}

var (
	voteEntry = entry{
		noun: "vote", verb: "vote on", field: "votes", key: "voter",
		decisions: map[string]string{"approve": string(v1.VoteApprove), "reject": string(v1.VoteReject)},
		usage:     "approve, reject or withdraw",
	}
	reviewEntry = entry{
		noun: verbReview, verb: verbReview, field: "reviews", key: "reviewer",
		decisions: map[string]string{"approve": string(v1.ReviewApprove), "request-changes": string(v1.ReviewRequestChanges)},
		usage:     "approve, request-changes or withdraw",
	}
)

// castOptions are the flags of vote and review.
type castOptions struct{ comment, dryRun, format string }

// addCastFlags adds the flags vote and review share besides -m.
func addCastFlags(cmd *cobra.Command, opts *castOptions, noun string) {
	cmd.Flags().StringVarP(&opts.format, "output", "o", formatText, "format: text, json or yaml (the Proposal after the "+noun+"), or name")
	addDryRunFlag(cmd.Flags(), &opts.dryRun, "the server-side apply configuration of your "+noun)
}

func newVoteCommand(o *options) *cobra.Command {
	opts := &castOptions{}
	cmd := &cobra.Command{
		Use:   "vote PROPOSAL approve|reject|withdraw [-m COMMENT]",
		Short: "Cast, change or withdraw your vote on a Proposal",
		Long: `Cast your vote on a Proposal, change it, or withdraw it.

The vote is written with server-side apply of just your own entry of
spec.votes (keyed by voter), under the field manager
"kubectl-skillmatrix-<your username>". Server-side apply merges it into the
list on the server, so it can never drop or overwrite anyone else's vote,
however many people vote at the same time. The admission policy checks that
the vote is yours; the author of a Proposal cannot vote on it. Voting again
replaces your vote and comment; withdraw removes it.

--dry-run=client prints the apply configuration that would be sent;
--dry-run=server sends it with dryRun=All, so the API server and the
admission policy judge it (a vote that is not yours is refused) and nothing
is written.`,
		Example: `  kubectl skillmatrix vote mlops-engineer-raise-kubernetes-core approve -m "Matches our interviews."
  kubectl skillmatrix vote mlops-engineer-raise-kubernetes-core reject -m "Seniors rarely touch clusters here."
  kubectl skillmatrix vote mlops-engineer-raise-kubernetes-core withdraw`,
		Args: args(2, 2, "PROPOSAL and a decision ("+voteEntry.usage+")"),
		RunE: func(cmd *cobra.Command, a []string) error {
			return o.cast(cmd.Context(), voteEntry, a[0], a[1], opts)
		},
	}
	cmd.Flags().StringVarP(&opts.comment, "comment", "m", "", "why you vote so")
	addCastFlags(cmd, opts, "vote")
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
acceptance. Like votes, the review is written with server-side apply of just
your own entry of spec.reviews, under the field manager
"kubectl-skillmatrix-<your username>", so concurrent reviews never clobber
each other. --dry-run and -o work as for vote.`,
		Example: `  kubectl skillmatrix review mlops-engineer-raise-kubernetes-core approve -m "Right for GPU scheduling work."
  kubectl skillmatrix review mlops-engineer-raise-kubernetes-core request-changes -m "Say what Advanced means here."`,
		Args: args(2, 2, "PROPOSAL and a decision ("+reviewEntry.usage+")"),
		RunE: func(cmd *cobra.Command, a []string) error {
			return o.cast(cmd.Context(), reviewEntry, a[0], a[1], opts)
		},
	}
	cmd.Flags().StringVarP(&opts.comment, "comment", "m", "", "what the author should know")
	addCastFlags(cmd, opts, verbReview)
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
	u := entryApply(e, p, info, value, opts.comment, d == withdraw)
	if mode == dryRunClient {
		return o.printClientCast(e, u, me, value, opts.format)
	}
	after, err := s.applyEntry(ctx, u, me, mode)
	if err != nil {
		return err
	}
	return o.printCast(e, after, me, value, opts.format, mode)
}

// entryApply is the server-side apply configuration of the entry of who
// (their username and groups) in e's list of p: the entry alone, or nothing
// to withdraw it.
func entryApply(e entry, p *v1.Proposal, who authenticationv1.UserInfo, value, comment string, withdrawn bool) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	u.SetAPIVersion(v1.GroupVersion.String())
	u.SetKind(kindProposal)
	u.SetNamespace(p.Namespace)
	u.SetName(p.Name)
	// The UID makes the apply a precondition on this very Proposal: if it
	// was deleted (and perhaps re-created) since we read it, the apply fails
	// instead of creating a Proposal that holds nothing but a vote.
	u.SetUID(p.UID)
	if !withdrawn {
		item := map[string]any{e.key: who.Username, "decision": value}
		if comment != "" {
			item["comment"] = comment
		}
		if len(who.Groups) > 0 {
			groups := make([]any, len(who.Groups))
			for i, g := range who.Groups {
				groups[i] = g
			}
			item["groups"] = groups
		}
		u.Object["spec"] = map[string]any{e.field: []any{item}}
	}
	return u
}

// applyEntry sends the apply configuration u under voter's field manager
// (with dryRun=All for a server dry run) and returns the Proposal the API
// server answers with: as stored, or as it would be.
func (s *session) applyEntry(ctx context.Context, u *unstructured.Unstructured, voter string, mode dryRun) (*v1.Proposal, error) {
	opts := []client.ApplyOption{client.FieldOwner(fieldManager(voter)), client.ForceOwnership}
	if mode == dryRunServer {
		opts = append(opts, client.DryRunAll)
	}
	sent := u.DeepCopy()
	if err := s.c.Apply(ctx, client.ApplyConfigurationFromUnstructured(sent), opts...); err != nil {
		return nil, s.explain(err, verbVote, resProposals, u.GetName())
	}
	after := &v1.Proposal{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(sent.Object, after); err != nil {
		return nil, fmt.Errorf("reading the API server's answer for proposal %q: %w", u.GetName(), err)
	}
	return after, nil
}

// printClientCast prints what a client dry run would send.
func (o *options) printClientCast(e entry, u *unstructured.Unstructured, me, value, format string) error {
	switch format {
	case formatJSON, formatYAML:
		return writeData(o.streams.Out, format, u.Object)
	case formatName:
		_, err := fmt.Fprintln(o.streams.Out, proposalRef(u.GetName()))
		return err
	}
	out := &printer{w: o.streams.Out}
	if value == "" {
		out.f("%s: %s withdrawn for %s%s\n", u.GetName(), e.noun, me, dryRunClient.suffix())
	} else {
		out.f("%s: %s %s as %s%s\n", u.GetName(), e.noun, value, me, dryRunClient.suffix())
	}
	return out.err
}

// printCast prints the Proposal after the vote or review, in format.
func (o *options) printCast(e entry, after *v1.Proposal, me, value, format string, mode dryRun) error {
	switch format {
	case formatJSON, formatYAML:
		return writeData(o.streams.Out, format, printableProposal(after))
	case formatName:
		_, err := fmt.Fprintln(o.streams.Out, proposalRef(after.Name))
		return err
	}
	name := after.Name
	out := &printer{w: o.streams.Out}
	switch {
	case value != "":
		out.f("%s: %s %s as %s%s\n", name, e.noun, value, me, mode.suffix())
	case hasEntry(e, &after.Spec, me):
		o.warnf("warning: your %s on %s is still there: it was written by another tool "+
			"(not by kubectl skillmatrix); remove it with kubectl edit\n", e.noun, name)
	default:
		out.f("%s: %s withdrawn for %s%s\n", name, e.noun, me, mode.suffix())
	}
	t := governance.Count(&after.Spec)
	out.f("Votes: %d approving, %d rejecting. Reviews: %d approving, %d requesting changes.\n",
		t.Approvals, t.Rejections, t.ReviewApprovals, t.ChangesRequested)
	if mode == dryRunServer {
		out.ln("Nothing was written.")
		return out.err
	}
	out.f("Status: kubectl skillmatrix status %s\n", name)
	return out.err
}

func hasEntry(e entry, spec *v1.ProposalSpec, me string) bool {
	if e.field == voteEntry.field {
		for _, v := range spec.Votes {
			if string(v.Voter) == me {
				return true
			}
		}
		return false
	}
	for _, r := range spec.Reviews {
		if string(r.Reviewer) == me {
			return true
		}
	}
	return false
}
