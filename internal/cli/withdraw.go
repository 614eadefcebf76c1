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
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

func newWithdrawCommand(o *options) *cobra.Command {
	return &cobra.Command{
		Use:   "withdraw PROPOSAL",
		Short: "Withdraw your own Proposal while it is open",
		Long: `Withdraw a Proposal you wrote: it is closed as Withdrawn and never promoted.

Only the author may withdraw a Proposal, and only before it is Accepted (the
admission policy checks both); a withdrawal cannot be undone: propose again
instead. The command sets spec.withdrawn with a merge patch that names the
Proposal's uid, so it never touches a Proposal of the same name created since
it was read. To withdraw your vote or review instead, use
"vote PROPOSAL withdraw" or "review PROPOSAL withdraw".`,
		Example: `  kubectl skillmatrix withdraw mlops-engineer-raise-kubernetes-core`,
		Args:    args(1, 1, "PROPOSAL"),
		RunE: func(cmd *cobra.Command, a []string) error {
			return o.withdrawProposal(cmd.Context(), a[0])
		},
	}
}

func (o *options) withdrawProposal(ctx context.Context, name string) error {
	s, err := o.connect()
	if err != nil {
		return err
	}
	me, err := s.whoami(ctx)
	if err != nil {
		return err
	}
	p, err := s.getProposal(ctx, name)
	if err != nil {
		return err
	}
	out := &printer{w: o.streams.Out}
	if p.Spec.Withdrawn {
		out.f("%s: already withdrawn\n", name)
		return out.err
	}
	if string(p.Spec.Author) != me {
		return fmt.Errorf("you (%s) are not the author of proposal %q (%s is): only the author may withdraw it; "+
			"to take back your vote or review use \"vote %s withdraw\" or \"review %s withdraw\"",
			me, name, p.Spec.Author, name, name)
	}
	if !p.Status.Phase.Withdrawable() {
		return fmt.Errorf("proposal %q can no longer be withdrawn: it is %s (a proposal can be withdrawn only while it is Open)",
			name, p.Status.Phase)
	}
	patch := fmt.Sprintf(`{"metadata":{"uid":%q},"spec":{"withdrawn":true}}`, p.UID)
	if err := s.c.Patch(ctx, p, client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
		return s.explain(err, "patch", resProposals, name)
	}
	out.f("%s: withdrawn by %s; the operator closes it as Withdrawn\n", name, me)
	out.f("Status: kubectl skillmatrix status %s\n", name)
	return out.err
}
