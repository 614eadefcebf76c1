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
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
)

// The forms. Each is a plain HTML form (POST, then a redirect to the page
// that shows the result: no JavaScript needed), and each POST passes, in
// order, before anything is written:
//
//  1. Go's cross-origin protection (Sec-Fetch-Site, else Origin against
//     Host): a form another site makes a browser send is refused (403);
//  2. sign-in: a verified token, else 401;
//  3. the form token, an HMAC over the person and their portal session
//     (session.go): a form from another session or person is refused (403);
//  4. the person's rate limit (429);
//  5. the portal's own checks against the cache (the author does not vote;
//     a closed Proposal takes no ballots; the change fits the Role);
//
// and then the write goes to the API server as the person (act.go), which
// judges it with RBAC and the admission policies. Whatever refuses it, the
// person reads why in their language, and nothing was written.

// maxFormBytes bounds a form's body: a description of 4096 characters in
// 4-byte UTF-8 and the rest fit easily.
const maxFormBytes = 64 << 10

// formFunc handles the form of a signed-in person. It returns where to go
// next (303 See Other) or a *refusal to show on the page the form is on.
type formFunc func(r *http.Request, id *identity) (string, error)

// errForm is a form refused before it reached its handler.
type errForm struct {
	code int
	key  string
}

func (e errForm) Error() string { return e.key }

type refusalKey struct{}

// refusalOf is the refusal the page shows above its forms, if any.
func refusalOf(r *http.Request) *refusal {
	rf, _ := r.Context().Value(refusalKey{}).(*refusal)
	return rf
}

// handleForm serves a form under route: the checks above, then f. A
// refusal is shown on the page back makes, with the refusal's status.
func (s *Server) handleForm(route string, f formFunc, back handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		securityHeaders(rec.Header())
		rec.Header().Set("Cache-Control", "no-store")
		info := &requestInfo{locale: localeOf(r)}
		r = r.WithContext(withRequestInfo(withLocale(r.Context(), info.locale), info))
		defer func() {
			requests.WithLabelValues(route, strconv.Itoa(rec.code)).Inc()
			requestDuration.WithLabelValues(route).Observe(time.Since(started).Seconds())
		}()
		if err := s.origins.Check(r); err != nil {
			s.fail(rec, r, errForm{code: http.StatusForbidden, key: "portal.refused.crossOrigin"})
			return
		}
		info.creds = s.identify(rec, r)
		switch info.creds.state {
		case expired, rejected:
			s.fail(rec, r, errSignInAgain{state: info.creds.state, why: info.creds.why})
			return
		case anonymous:
			s.fail(rec, r, errForm{code: http.StatusUnauthorized, key: "portal.refused.signIn"})
			return
		}
		if ns := r.PathValue("ns"); ns != "" && !s.opts.shows(ns) {
			s.fail(rec, r, errNotFound{what: "namespace " + ns})
			return
		}
		r.Body = http.MaxBytesReader(rec, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			s.fail(rec, r, errForm{code: http.StatusRequestEntityTooLarge, key: "portal.refused.formTooLarge"})
			return
		}
		id := info.creds.id
		if !s.keys.checkFormToken(id, r.PostForm.Get("token"), s.opts.Now()) {
			s.fail(rec, r, errForm{code: http.StatusForbidden, key: "portal.refused.formToken"})
			return
		}
		if !s.limits.allow(id.Username, s.opts.Now()) {
			rec.Header().Set("Retry-After", "60")
			s.fail(rec, r, errForm{code: http.StatusTooManyRequests, key: "portal.refused.rateLimit"})
			return
		}
		if s.act == nil {
			s.fail(rec, r, errors.New("the portal has no client to act with"))
			return
		}
		next, err := f(r, id)
		var rf *refusal
		switch {
		case err == nil:
			http.Redirect(rec, r, next, http.StatusSeeOther)
			return
		case errors.As(err, &rf):
		default:
			var bad errBadName
			var missing errNotFound
			if errors.As(err, &bad) || errors.As(err, &missing) {
				s.fail(rec, r, err)
				return
			}
			rf = explain(translator{locale: info.locale}, action(route), err)
			logf.FromContext(r.Context()).Info("a write was refused", "route", route, "user", id.Username,
				"code", rf.Code, "error", err.Error())
		}
		r = r.WithContext(context.WithValue(r.Context(), refusalKey{}, rf))
		p, perr := back(r)
		if perr != nil {
			s.fail(rec, r, perr)
			return
		}
		p.code = rf.Code
		s.write(rec, r, p)
	})
}

// refuse is a refusal of the portal's own checks, in the request's language.
func refuse(r *http.Request, code int, key string, kv ...any) error {
	return &refusal{Code: code, Message: translator{locale: requestLocale(r)}.T(key, kv...)}
}

// flashes are what ?done= on a page says about the write just made.
var flashes = map[string]string{
	"proposed": "portal.done.proposed", "voted": "portal.done.voted", "reviewed": "portal.done.reviewed",
	"withdrawn": "portal.done.withdrawn", "unvoted": "portal.done.unvoted", "unreviewed": "portal.done.unreviewed",
	"followed": "portal.done.followed", "followChanged": "portal.done.followChanged", "unfollowed": "portal.done.unfollowed",
}

func flashOf(r *http.Request, locale string) string {
	if key, ok := flashes[r.URL.Query().Get("done")]; ok {
		return translator{locale: locale}.T(key)
	}
	return ""
}

// withDone is the address of page with ?done=what.
func withDone(page, what string) string { return page + "?done=" + url.QueryEscape(what) }

// awaitCached waits, briefly, until the cache holds obj as written (its
// resourceVersion or a later one) and ok accepts it, so the page the
// person is sent to shows their write.
func (s *Server) awaitCached(ctx context.Context, key client.ObjectKey, obj client.Object, ok func() bool) {
	ctx, cancel := context.WithTimeout(ctx, s.awaitFor)
	defer cancel()
	_ = wait.PollUntilContextCancel(ctx, 5*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		if err := s.reader.Get(ctx, key, obj); err != nil {
			return false, nil //nolint:nilerr // not in the cache yet
		}
		return ok(), nil
	})
}

// proposalForForm reads the Proposal of the form's path from the cache.
func (s *Server) proposalForForm(r *http.Request) (*v1.Proposal, error) {
	ns, err := pathName(r, "ns")
	if err != nil {
		return nil, err
	}
	name, err := pathName(r, "proposal")
	if err != nil {
		return nil, err
	}
	var p v1.Proposal
	if err := s.get(r, ns, name, &p, "Proposal"); err != nil {
		return nil, err
	}
	return &p, nil
}

// The decisions of the vote and review forms.
const (
	choiceApprove        = "approve"
	choiceReject         = "reject"
	choiceRequestChanges = "request-changes"
)

// ballotForm is what the vote and review forms share.
type ballotForm struct {
	kind       governance.BallotKind
	decisions  map[string]string // form value -> API value
	maxComment int
	done       string
	undone     string
}

var (
	voteForm = ballotForm{kind: governance.BallotVote, maxComment: 1024, done: "voted", undone: "unvoted",
		decisions: map[string]string{choiceApprove: string(v1.VoteApprove), choiceReject: string(v1.VoteReject), "withdraw": ""}}
	reviewForm = ballotForm{kind: governance.BallotReview, maxComment: 2048, done: "reviewed", undone: "unreviewed",
		decisions: map[string]string{choiceApprove: string(v1.ReviewApprove),
			choiceRequestChanges: string(v1.ReviewRequestChanges), "withdraw": ""}}
)

// castForm casts the person's vote or review.
func (s *Server) castForm(bf ballotForm) formFunc {
	return func(r *http.Request, id *identity) (string, error) {
		p, err := s.proposalForForm(r)
		if err != nil {
			return "", err
		}
		decision, ok := bf.decisions[r.PostForm.Get("decision")]
		comment := strings.TrimSpace(r.PostForm.Get("comment"))
		kindKey := string(bf.kind)
		switch {
		case !ok:
			return "", refuse(r, http.StatusUnprocessableEntity, "portal.refused.noDecision."+kindKey)
		case string(p.Spec.Author) == id.Username:
			return "", refuse(r, http.StatusForbidden, "portal.refused.own."+kindKey)
		case p.Status.Phase.VotesFrozen() || p.Spec.Withdrawn:
			return "", refuse(r, http.StatusConflict, "portal.refused.closed")
		case utf8.RuneCountInString(comment) > bf.maxComment:
			return "", refuse(r, http.StatusUnprocessableEntity, "portal.refused.commentTooLong", "Max", bf.maxComment)
		case decision == "" && s.ballotOf(r.Context(), p, bf.kind, id.Username) == nil:
			return "", refuse(r, http.StatusConflict, "portal.refused.nothingToWithdraw."+kindKey)
		}
		if decision == "" {
			comment = ""
		}
		if err := s.act.cast(r.Context(), id, p, bf.kind, decision, comment); err != nil {
			return "", err
		}
		s.awaitCached(r.Context(), client.ObjectKeyFromObject(p), p, func() bool {
			b := s.ballotOf(r.Context(), p, bf.kind, id.Username)
			return (decision == "" && b == nil) || (b != nil && b.Decision == decision && b.Comment == comment)
		})
		done := bf.done
		if decision == "" {
			done = bf.undone
		}
		return withDone(proposalURL(p.Namespace, p.Name), done), nil
	}
}

// ballotOf is user's vote or review of p as the cache holds it, if there
// is one: their newest Ballot of the kind, else their entry of spec.votes
// or spec.reviews from before Ballots.
func (s *Server) ballotOf(ctx context.Context, p *v1.Proposal, kind governance.BallotKind, user string) *ballot {
	var list v1.BallotList
	if err := s.reader.List(ctx, &list, client.InNamespace(p.Namespace),
		client.MatchingFields{kubecache.IndexBallotProposal: p.Name}); err == nil {
		var newest *v1.Ballot
		for i := range list.Items {
			b := &list.Items[i]
			if string(b.Spec.Voter) != user || governance.KindOf(b.Spec.Kind) != kind ||
				string(b.Spec.ProposalRef) != p.Name {
				continue
			}
			if newest == nil || b.CreationTimestamp.After(newest.CreationTimestamp.Time) ||
				b.CreationTimestamp.Equal(&newest.CreationTimestamp) && b.Name > newest.Name {
				newest = b
			}
		}
		if newest != nil {
			return &ballot{User: user, Decision: string(newest.Spec.Decision), Comment: newest.Spec.Comment,
				Groups: newest.Spec.Groups}
		}
	}
	if kind == governance.BallotReview {
		if i := slices.IndexFunc(p.Spec.Reviews, func(r v1.Review) bool { return string(r.Reviewer) == user }); i >= 0 {
			r := p.Spec.Reviews[i]
			return &ballot{User: user, Decision: string(r.Decision), Comment: r.Comment, Groups: r.Groups}
		}
		return nil
	}
	if i := slices.IndexFunc(p.Spec.Votes, func(v v1.Vote) bool { return string(v.Voter) == user }); i >= 0 {
		v := p.Spec.Votes[i]
		return &ballot{User: user, Decision: string(v.Decision), Comment: v.Comment, Groups: v.Groups}
	}
	return nil
}

// withdrawForm withdraws the person's own open Proposal.
func (s *Server) withdrawForm(r *http.Request, id *identity) (string, error) {
	p, err := s.proposalForForm(r)
	if err != nil {
		return "", err
	}
	switch {
	case string(p.Spec.Author) != id.Username:
		return "", refuse(r, http.StatusForbidden, "portal.refused.withdrawNotAuthor")
	case p.Spec.Withdrawn:
		return proposalURL(p.Namespace, p.Name), nil
	case !p.Status.Phase.Withdrawable():
		return "", refuse(r, http.StatusConflict, "portal.refused.withdrawClosed")
	case r.PostForm.Get("confirm") != "yes":
		return "", refuse(r, http.StatusUnprocessableEntity, "portal.refused.confirmWithdraw")
	}
	if err := s.act.withdraw(r.Context(), id, p); err != nil {
		return "", err
	}
	s.awaitCached(r.Context(), client.ObjectKeyFromObject(p), p, func() bool { return p.Spec.Withdrawn })
	return withDone(proposalURL(p.Namespace, p.Name), "withdrawn"), nil
}
