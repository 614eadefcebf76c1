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

	"k8s.io/cli-runtime/pkg/genericclioptions"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// ForgeVote sends, through the plugin's own apply path and with the
// credentials of kubeconfig, an approving vote that names voter, as a
// server dry run. With voter not the kubeconfig's user it is the forgery
// the admission policy must refuse; the envtest checks that it does and
// that nothing is written.
func ForgeVote(ctx context.Context, kubeconfig, namespace, proposal, voter string) error {
	o := &options{kube: genericclioptions.NewConfigFlags(true)}
	o.kube.KubeConfig, o.kube.Namespace = &kubeconfig, &namespace
	s, err := o.connect()
	if err != nil {
		return err
	}
	who, err := s.userInfo(ctx)
	if err != nil {
		return err
	}
	p, err := s.getProposal(ctx, proposal)
	if err != nil {
		return err
	}
	who.Username = voter // the forgery: the user's own groups, another's name
	b := newBallot(voteEntry, p, who, v1.BallotApprove, "", v1.BallotName(p.Name, v1.BallotKindVote, v1.Username(voter)))
	_, err = s.applyBallot(ctx, b, voter, dryRunServer)
	return err
}
