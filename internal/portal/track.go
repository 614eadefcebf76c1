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
	"fmt"
	"slices"

	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// Track registers the Server's event handlers on the informers of the four
// kinds: each change moves its namespace's Last-Modified, and a deleted
// Role's rendered pages are dropped. Pages are read from the cache at each
// request, so nothing else has to happen on a change.
func (s *Server) Track(ctx context.Context, informers cache.Informers) error {
	for _, obj := range []client.Object{&v1.SkillMatrix{}, &v1.Role{}, &v1.Proposal{}, &v1.Ballot{}} {
		inf, err := informers.GetInformer(ctx, obj)
		if err != nil {
			return fmt.Errorf("getting the informer of %T: %w", obj, err)
		}
		if _, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
			AddFunc:    s.observe,
			UpdateFunc: s.update,
			DeleteFunc: s.forget,
		}); err != nil {
			return fmt.Errorf("watching %T: %w", obj, err)
		}
	}
	return nil
}

func (s *Server) observe(o any) {
	if obj, ok := o.(client.Object); ok {
		s.changes.touch(obj.GetNamespace())
	}
}

func (s *Server) update(oldObj, newObj any) {
	s.observe(newObj)
	oldRole, okOld := oldObj.(*v1.Role)
	newRole, okNew := newObj.(*v1.Role)
	if okOld && okNew && newRole.Status.ContentHash != "" && oldRole.Status.ContentHash != newRole.Status.ContentHash {
		s.changes.republished(newRole.UID, newRole.Status.ContentHash)
	}
	oldProposal, okOld := oldObj.(*v1.Proposal)
	newProposal, okNew := newObj.(*v1.Proposal)
	if okOld && okNew {
		before := ballotKeys(oldProposal)
		var added []string
		for _, k := range ballotKeys(newProposal) {
			if !slices.Contains(before, k) {
				added = append(added, k)
			}
		}
		if len(added) > 0 {
			s.changes.ballotsCast(newProposal.UID, added)
		}
	}
	// A Ballot's creation is its own time; a changed decision is new when
	// the portal sees it.
	oldBallot, okOld := oldObj.(*v1.Ballot)
	newBallot, okNew := newObj.(*v1.Ballot)
	if okOld && okNew && oldBallot.Spec.Decision != newBallot.Spec.Decision {
		s.changes.ballotsCast(newBallot.UID, []string{ballotObjectKey(newBallot)})
	}
}

// ballotObjectKey names a Ballot's vote or review with its decision, as
// ballotKeys names the entries of spec.votes and spec.reviews.
func ballotObjectKey(b *v1.Ballot) string {
	return ballotKey(governance.KindOf(b.Spec.Kind), string(b.Spec.Voter), string(b.Spec.Decision))
}

// ballotKeys name each vote and review with its decision, so a changed
// decision is a new ballot.
func ballotKeys(p *v1.Proposal) []string {
	keys := make([]string, 0, len(p.Spec.Votes)+len(p.Spec.Reviews))
	for _, v := range p.Spec.Votes {
		keys = append(keys, ballotKey(governance.BallotVote, string(v.Voter), string(v.Decision)))
	}
	for _, r := range p.Spec.Reviews {
		keys = append(keys, ballotKey(governance.BallotReview, string(r.Reviewer), string(r.Decision)))
	}
	return keys
}

func ballotKey(kind governance.BallotKind, user, decision string) string {
	return string(kind) + ":" + decision + ":" + user
}

func (s *Server) forget(o any) {
	if d, ok := o.(toolscache.DeletedFinalStateUnknown); ok {
		o = d.Obj
	}
	obj, ok := o.(client.Object)
	if !ok {
		return
	}
	s.changes.touch(obj.GetNamespace())
	switch obj.(type) {
	case *v1.Role:
		s.renders.drop(client.ObjectKeyFromObject(obj))
	case *v1.Proposal, *v1.Ballot:
		s.changes.forgetProposal(obj.GetUID())
	}
}
