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
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

var scheme = runtime.NewScheme()

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1.AddToScheme(scheme))
}

// Resource names for messages and RBAC hints.
const (
	resSkillMatrices = "skillmatrices.career.skillmatrix.dev"
	resRoles         = "roles.career.skillmatrix.dev"
	resProposals     = "proposals.career.skillmatrix.dev"
	resBallots       = "ballots.career.skillmatrix.dev"
)

// session is a connection to the cluster as the current user.
type session struct {
	c  client.Client
	ns string
}

// connect builds a controller-runtime client from the kube flags.
func (o *options) connect() (*session, error) {
	cfg, err := o.kube.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("cannot talk to a cluster: %w; check --kubeconfig and --context "+
			"(commands that read a Role also work offline with -f FILE)", err)
	}
	ns, _, err := o.kube.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, fmt.Errorf("cannot tell the namespace: %w", err)
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("cannot talk to the cluster: %w", err)
	}
	return &session{c: c, ns: ns}, nil
}

// whoami asks the API server who the credentials belong to, with a
// SelfSubjectReview (authentication.k8s.io/v1), as `kubectl auth whoami` does.
func (s *session) whoami(ctx context.Context) (string, error) {
	me, err := s.userInfo(ctx)
	return me.Username, err
}

// userInfo is who the API server says the user is, with their groups: a
// vote or review records the groups, and admission checks they are these.
func (s *session) userInfo(ctx context.Context) (authenticationv1.UserInfo, error) {
	review := &authenticationv1.SelfSubjectReview{}
	if err := s.c.Create(ctx, review); err != nil {
		return authenticationv1.UserInfo{}, s.explain(err, "create", "selfsubjectreviews.authentication.k8s.io", "")
	}
	if review.Status.UserInfo.Username == "" {
		return authenticationv1.UserInfo{}, errors.New("the API server did not say who you are (empty username in the SelfSubjectReview)")
	}
	return review.Status.UserInfo, nil
}

// rbacDenied matches the authorizer's refusal, e.g. `User "mallory" cannot
// patch resource "proposals" in API group "career.skillmatrix.dev" in the
// namespace "career"`.
var rbacDenied = regexp.MustCompile(`cannot (\S+) resource "([^"]+)" in API group "([^"]*)"`)

// explain turns an API error into a message that says what to do. A refusal
// by RBAC names the verb and resource that are missing and the ClusterRole
// that grants them; a refusal by the admission policy keeps the policy's own
// sentence, which names the rule.
func (s *session) explain(err error, verb, resource, name string) error {
	if err == nil {
		return nil
	}
	// A vote is a patch to RBAC: the role to ask for is the voter's, which
	// grants both, not the proposer's, which grants only the patch.
	wanted := verb
	switch {
	case apierrors.IsForbidden(err):
		msg := err.Error()
		if _, reason, ok := strings.Cut(msg, "denied request: "); ok {
			return &explainedError{msg: "refused by the admission policy: " + reason, err: err}
		}
		if m := rbacDenied.FindStringSubmatch(msg); m != nil {
			verb, resource = m[1], m[2]
			if m[3] != "" {
				resource += "." + m[3]
			}
		}
		where := "cluster-wide"
		if s.ns != "" && !strings.HasSuffix(resource, ".authentication.k8s.io") {
			where = fmt.Sprintf("in namespace %q", s.ns)
		}
		hint := ""
		if wanted != verbVote {
			wanted = verb
		}
		if r := grantingRole(wanted, resource); r != "" {
			hint = fmt.Sprintf("; ask your platform team to bind the ClusterRole %s to you", r)
		}
		return &explainedError{msg: fmt.Sprintf("permission denied: you need the RBAC verb %q on %s %s%s", verb, resource, where, hint), err: err}
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("the cluster does not accept your credentials (401 Unauthorized): log in again or check --kubeconfig and --context: %w", err)
	case unreachable(err):
		return fmt.Errorf("cannot reach the API server: %w; check --kubeconfig, --context and --server "+
			"(commands that read a Role also work offline with -f FILE)", err)
	case apierrors.IsNotFound(err) && name != "":
		return fmt.Errorf("%s %q not found in namespace %q", kindOf(resource), name, s.ns)
	}
	return err
}

// explainedError is an API error said in the user's terms. It unwraps to
// the API error, so apierrors.IsForbidden and the like still tell it.
type explainedError struct {
	msg string
	err error
}

func (e *explainedError) Error() string { return e.msg }
func (e *explainedError) Unwrap() error { return e.err }

// unreachable says the error is about the network, not the API.
func unreachable(err error) bool {
	if _, ok := errors.AsType[*url.Error](err); ok {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"connection refused", "no such host", "i/o timeout", "network is unreachable"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// grantingRole names the ClusterRole of config/rbac/user_roles.yaml that
// grants verb on resource.
func grantingRole(verb, resource string) string {
	switch {
	case !strings.HasSuffix(resource, ".career.skillmatrix.dev"):
		return ""
	case verb == "get" || verb == "list" || verb == "watch":
		return "skillmatrix-viewer"
	case resource == resProposals && (verb == "create" || verb == "patch" || verb == "update"):
		return "skillmatrix-proposer"
	case resource == resProposals && verb == verbVote:
		return "skillmatrix-voter"
	case resource == resBallots:
		return "skillmatrix-voter"
	case resource == resRoles && verb == verbReview:
		return "skillmatrix-reviewer"
	}
	return ""
}

func kindOf(resource string) string {
	switch resource {
	case resSkillMatrices:
		return "SkillMatrix"
	case resRoles:
		return "career Role"
	case resProposals:
		return kindProposal
	case resBallots:
		return kindBallot
	}
	return resource
}

// getRole reads a Role and its SkillMatrix. An unknown Role is reported with
// a "did you mean" among the namespace's Roles when the user may list them.
func (s *session) getRole(ctx context.Context, name string) (*v1.SkillMatrix, *v1.Role, error) {
	role := &v1.Role{}
	if err := s.c.Get(ctx, client.ObjectKey{Namespace: s.ns, Name: name}, role); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil, s.unknown(ctx, resRoles, name, &v1.RoleList{})
		}
		return nil, nil, s.explain(err, "get", resRoles, name)
	}
	matrix, err := s.getMatrix(ctx, string(role.Spec.MatrixRef))
	if err != nil {
		return nil, nil, fmt.Errorf("career Role %q refers to SkillMatrix %q: %w", name, role.Spec.MatrixRef, err)
	}
	return matrix, role, nil
}

// getMatrix reads a SkillMatrix of the session's namespace; its errors are
// about the SkillMatrix, for the caller to say whose it is.
func (s *session) getMatrix(ctx context.Context, name string) (*v1.SkillMatrix, error) {
	matrix := &v1.SkillMatrix{}
	if err := s.c.Get(ctx, client.ObjectKey{Namespace: s.ns, Name: name}, matrix); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("it does not exist in namespace %q", s.ns)
		}
		return nil, s.explain(err, "get", resSkillMatrices, name)
	}
	return matrix, nil
}

// getProposal reads a Proposal.
func (s *session) getProposal(ctx context.Context, name string) (*v1.Proposal, error) {
	p := &v1.Proposal{}
	if err := s.c.Get(ctx, client.ObjectKey{Namespace: s.ns, Name: name}, p); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, s.unknown(ctx, resProposals, name, &v1.ProposalList{})
		}
		return nil, s.explain(err, "get", resProposals, name)
	}
	return p, nil
}

// unknown is the not-found error, with the closest existing name if any.
func (s *session) unknown(ctx context.Context, resource, name string, list client.ObjectList) error {
	msg := fmt.Sprintf("%s %q not found in namespace %q", kindOf(resource), name, s.ns)
	if err := s.c.List(ctx, list, client.InNamespace(s.ns)); err == nil {
		var names []string
		switch l := list.(type) {
		case *v1.RoleList:
			for _, r := range l.Items {
				names = append(names, r.Name)
			}
		case *v1.ProposalList:
			for _, p := range l.Items {
				names = append(names, p.Name)
			}
		}
		msg += text.Hint(name, names)
	}
	return errors.New(msg)
}
