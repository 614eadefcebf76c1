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

package portal

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// refusal is a write the portal did not make, or the API server refused,
// said in words a person understands. Nothing was changed.
type refusal struct {
	// Code is the HTTP status of the answer.
	Code int
	// Message is the person's sentence; Detail the API server's own words
	// (an admission policy's message), when they add something.
	Message, Detail string
}

func (r *refusal) Error() string { return r.Message }

// action is what the person tried, for the words of a refusal.
type action string

const (
	actPropose  action = "propose"
	actVote     action = "vote"
	actReview   action = "review"
	actWithdraw action = "withdraw"
	actFollow   action = "follow"
	actUnfollow action = "unfollow"
)

// refusalRule maps words of the API server's answer to the person's.
type refusalRule struct {
	// contains is a piece of the admission policy's or RBAC's message.
	contains string
	// key is the catalog key of the person's sentence.
	key string
	// only limits the rule to one action; "" is any.
	only action
}

// rbacNoPatch is RBAC's refusal of a patch of a Proposal.
const rbacNoPatch = `cannot patch resource "proposals"`

// The catalog keys and messages more than one rule shares.
const (
	keyOthersBallot  = "portal.refused.othersBallot"
	keyNoVoteRight   = "portal.refused.noVoteRight"
	keyNoReviewRight = "portal.refused.noReviewRight"
	keyNoFollowRight = "portal.refused.noFollowRight"
	msgQuota         = "exceeded quota"
)

// refusalRules are tried in order. The first group are the admission
// policies' messages (docs/governance.md, "Messages"); then RBAC's.
var refusalRules = []refusalRule{
	{contains: "cannot change votes or reviews: proposal", key: "portal.refused.closed"},
	{contains: "the author cannot vote on their own proposal", key: "portal.refused.ownVote"},
	{contains: "the author cannot review their own proposal", key: "portal.refused.ownReview"},
	{contains: "may add, change or remove only their own vote", key: keyOthersBallot},
	{contains: "may add, change or remove only their own review", key: keyOthersBallot},
	{contains: "may cast or change only their own ballot", key: keyOthersBallot},
	{contains: "may not withdraw the ballot of", key: keyOthersBallot},
	{contains: "may not vote on proposal", key: keyNoVoteRight},
	{contains: "may not review proposals for Role", key: keyNoReviewRight},
	{contains: "is a system identity", key: "portal.refused.systemUser"},
	{contains: "may not vote: only members of the groups", key: "portal.refused.voterGroups"},
	{contains: "may not review: only members of the groups", key: "portal.refused.reviewerGroups"},
	{contains: "must be exactly the groups the API server authenticated", key: "portal.refused.groups"},
	{contains: "may not withdraw proposal", key: "portal.refused.withdrawNotAuthor"},
	{contains: "can no longer be withdrawn", key: "portal.refused.withdrawClosed"},
	{contains: "open proposals in namespace", key: "portal.refused.authorLimit"},
	{contains: "spec.author must be your own username", key: "portal.refused.author"},
	{contains: msgQuota, key: "portal.refused.ballotQuota", only: actVote},
	{contains: msgQuota, key: "portal.refused.ballotQuota", only: actReview},
	{contains: msgQuota, key: "portal.refused.quota"},
	{contains: "proposal text too long", key: "portal.refused.tooLong"},
	{contains: "may follow only as themselves", key: "portal.refused.followOthers"},
	{contains: "may not change the Follow", key: "portal.refused.followNotYours"},
	{contains: "may not delete the Follow", key: "portal.refused.followNotYours"},
	{contains: "cannot impersonate", key: "portal.refused.portalGrant"},
	{contains: `resource "follows"`, key: keyNoFollowRight, only: actFollow},
	{contains: `resource "follows"`, key: keyNoFollowRight, only: actUnfollow},
	{contains: `cannot create resource "proposals"`, key: "portal.refused.noProposeRight"},
	{contains: `resource "ballots"`, key: keyNoVoteRight, only: actVote},
	{contains: `resource "ballots"`, key: keyNoReviewRight, only: actReview},
	{contains: rbacNoPatch, key: keyNoVoteRight, only: actVote},
	{contains: rbacNoPatch, key: keyNoReviewRight, only: actReview},
	{contains: rbacNoPatch, key: "portal.refused.noProposeRight", only: actWithdraw},
}

// explain turns the API server's answer to a write into a refusal in the
// person's language. It never returns the raw error as the message.
func explain(t translator, act action, err error) *refusal {
	if r, ok := errors.AsType[*refusal](err); ok {
		return r
	}
	msg := err.Error()
	detail := ""
	if _, reason, ok := strings.Cut(msg, "denied request: "); ok {
		detail = reason
	}
	for _, rule := range refusalRules {
		if (rule.only == "" || rule.only == act) && strings.Contains(msg, rule.contains) {
			code := http.StatusForbidden
			if rule.key == "portal.refused.closed" || rule.key == "portal.refused.withdrawClosed" {
				code = http.StatusConflict
			}
			if rule.key == "portal.refused.tooLong" {
				code = http.StatusUnprocessableEntity
			}
			return &refusal{Code: code, Message: t.T(rule.key), Detail: detail}
		}
	}
	switch {
	case errors.Is(err, errNoIdentity):
		return &refusal{Code: http.StatusUnauthorized, Message: t.T("portal.refused.signIn")}
	case apierrors.IsForbidden(err):
		return &refusal{Code: http.StatusForbidden, Message: t.T("portal.refused.forbidden." + string(act)), Detail: detail}
	case apierrors.IsConflict(err), apierrors.IsAlreadyExists(err):
		return &refusal{Code: http.StatusConflict, Message: t.T("portal.refused.conflict")}
	case apierrors.IsNotFound(err):
		return &refusal{Code: http.StatusNotFound, Message: t.T("portal.refused.gone")}
	case apierrors.IsInvalid(err), apierrors.IsBadRequest(err):
		return &refusal{Code: http.StatusUnprocessableEntity, Message: t.T("portal.refused.invalid"), Detail: causes(err)}
	case apierrors.IsTooManyRequests(err):
		return &refusal{Code: http.StatusTooManyRequests, Message: t.T("portal.refused.busy")}
	case unreachable(err):
		return &refusal{Code: http.StatusServiceUnavailable, Message: t.T("portal.refused.unreachable")}
	}
	return &refusal{Code: http.StatusInternalServerError, Message: t.T("portal.refused.other")}
}

// causes lists what an Invalid answer says was wrong, without the object's
// kind and name around it.
func causes(err error) string {
	var status apierrors.APIStatus
	if !errors.As(err, &status) || status.Status().Details == nil {
		return ""
	}
	var out []string
	for _, c := range status.Status().Details.Causes {
		out = append(out, c.Message)
	}
	return strings.Join(out, "; ")
}

// unreachable says the API server could not be asked.
func unreachable(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) || apierrors.IsTimeout(err) ||
		apierrors.IsServerTimeout(err) || apierrors.IsServiceUnavailable(err)
}
