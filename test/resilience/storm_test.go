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

package resilience

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// The storm's SkillMatrix: three levels, four proficiencies, eight skills of
// which each Role starts with six, so AddSkill has something to add.
var (
	stormLevels = []v1.ID{"junior", "middle", "senior"}
	stormProfs  = []v1.ProficiencyID{"A", "W", "V", "E"}
	stormSkills = []v1.ID{"go", "python", "docker", "kubernetes", "terraform", "sql", "kafka", "rust"}
)

const stormRoleSkills = 6

// stormMatrix accepts a Proposal on one approving vote, so a single vote
// decides it and promotions happen while the storm still blows.
func stormMatrix(ns string) *v1.SkillMatrix {
	m := &v1.SkillMatrix{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "m"},
		Spec: v1.SkillMatrixSpec{
			DisplayName: "Storm framework",
			Governance: &v1.GovernancePolicy{
				MinApprovals: new(int32(1)), ApprovalRatioPercent: new(int32(50)), RequiredReviews: new(int32(0)),
				VotingPeriod: &metav1.Duration{Duration: 168 * time.Hour},
			},
		},
	}
	for _, l := range stormLevels {
		m.Spec.Levels = append(m.Spec.Levels, v1.Level{ID: l, Name: strings.ToUpper(string(l[:1])) + string(l[1:])})
	}
	for _, p := range stormProfs {
		m.Spec.Proficiencies = append(m.Spec.Proficiencies, v1.Proficiency{ID: p, Name: string(p)})
	}
	category := v1.Category{ID: "engineering", Name: "Engineering"}
	for _, s := range stormSkills {
		category.Skills = append(category.Skills, v1.Skill{ID: s, Name: strings.ToUpper(string(s))})
	}
	m.Spec.Categories = []v1.Category{category}
	return m
}

func stormRole(ns, name string, rng *rand.Rand) *v1.Role {
	r := &v1.Role{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       v1.RoleSpec{MatrixRef: "m", DisplayName: truncateRunes("Role "+name, 128), Family: "Storm"},
	}
	for _, l := range stormLevels {
		r.Spec.Levels = append(r.Spec.Levels, v1.RoleLevel{Level: l, Focus: "Focus at " + string(l),
			TechStack: []string{"Go"}})
	}
	for _, s := range stormSkills[:stormRoleSkills] {
		r.Spec.Skills = append(r.Spec.Skills, v1.SkillRequirement{ID: s, Cells: randomCells(rng)})
	}
	return r
}

func randomCells(rng *rand.Rand) []v1.Cell {
	cells := make([]v1.Cell, 0, len(stormLevels))
	for _, l := range stormLevels {
		cells = append(cells, v1.Cell{Level: l, Proficiency: stormProfs[rng.IntN(len(stormProfs))],
			Required: rng.IntN(2) == 0})
	}
	return cells
}

// stormSize is how much a storm throws at the operator.
type stormSize struct {
	Roles, Proposals, Edits int
	// Duration is over how long the Proposals and edits are spread.
	Duration time.Duration
}

// storm creates Proposals (most of them voted through at once) and Role
// edits at random moments, concurrently, and records what it did.
type storm struct {
	ns    string
	size  stormSize
	seed  uint64
	edits *editLog

	mu    sync.Mutex
	voted map[string]bool

	created atomic.Int32
	votes   sync.WaitGroup
}

// newStorm creates the SkillMatrix and the Roles of a storm and waits until
// they are published.
func newStorm(ns string, size stormSize, seed uint64) *storm {
	GinkgoHelper()
	rng := rand.New(rand.NewPCG(seed, 0))
	Expect(k8sClient.Create(suiteCtx, stormMatrix(ns))).To(Succeed())
	for i := range size.Roles {
		Expect(k8sClient.Create(suiteCtx, stormRole(ns, fmt.Sprintf("r%d", i), rng))).To(Succeed())
	}
	Eventually(allPublished(ns)).Should(BeEmpty())
	return &storm{ns: ns, size: size, seed: seed, edits: newEditLog(), voted: map[string]bool{}}
}

// blow runs the Proposals and the edits concurrently and returns when both
// are done and every vote has been cast.
func (s *storm) blow(ctx context.Context) {
	GinkgoHelper()
	var wg sync.WaitGroup
	wg.Go(func() {
		defer GinkgoRecover()
		rng := rand.New(rand.NewPCG(s.seed, 1))
		for k := range s.size.Proposals {
			pause(ctx, rng, s.size.Duration/time.Duration(max(s.size.Proposals, 1)))
			s.propose(ctx, rng, k)
		}
	})
	wg.Go(func() {
		defer GinkgoRecover()
		rng := rand.New(rand.NewPCG(s.seed, 2))
		for range s.size.Edits {
			pause(ctx, rng, s.size.Duration/time.Duration(max(s.size.Edits, 1)))
			s.edit(ctx, rng)
		}
	})
	wg.Wait()
	s.votes.Wait()
}

// pause sleeps a random time averaging mean.
func pause(ctx context.Context, rng *rand.Rand, mean time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(time.Duration(rng.Int64N(int64(2*mean) + 1))):
	}
}

func (s *storm) randomRole(ctx context.Context, rng *rand.Rand) *v1.Role {
	GinkgoHelper()
	var role v1.Role
	name := fmt.Sprintf("r%d", rng.IntN(s.size.Roles))
	Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: s.ns, Name: name}, &role)).To(Succeed())
	return &role
}

// propose creates Proposal k as alice with one random change computed
// against the Role as it is now, and, for most, has bob vote it through a
// moment later.
func (s *storm) propose(ctx context.Context, rng *rand.Rand, k int) {
	GinkgoHelper()
	role := s.randomRole(ctx, rng)
	p := &v1.Proposal{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.ns, Name: fmt.Sprintf("p-%03d", k)},
		Spec: v1.ProposalSpec{
			RoleRef: v1.ObjectName(role.Name),
			Title:   fmt.Sprintf("Storm proposal %d", k),
			Author:  alice,
			Changes: []v1.Change{randomChange(rng, role, k)},
		},
	}
	Expect(as(alice).Create(ctx, p)).To(Succeed())
	s.created.Add(1)
	if rng.IntN(100) >= 85 {
		return // left Open, or Conflicted/Invalid as the Role moves on
	}
	delay := time.Duration(rng.Int64N(int64(600 * time.Millisecond)))
	s.votes.Go(func() {
		defer GinkgoRecover()
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		patch, err := json.Marshal([]map[string]any{{"op": "add", "path": "/spec/votes",
			"value": []v1.Vote{{Voter: bob, Decision: v1.VoteApprove, Groups: testenv.AuthenticatedGroups("engineers")}}}})
		Expect(err).NotTo(HaveOccurred())
		err = as(bob).Patch(ctx, &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Namespace: s.ns, Name: p.Name}},
			client.RawPatch(types.JSONPatchType, patch))
		if apierrors.IsForbidden(err) {
			// Closed first (Conflicted or Invalid as the Role moved on):
			// its ballots are frozen, and the refusal must say so.
			var stored v1.Proposal
			Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: s.ns, Name: p.Name}, &stored)).To(Succeed())
			Expect(stored.Status.Phase.VotesFrozen()).To(BeTrue(), "a vote refused on a Proposal that is %s: %v",
				stored.Status.Phase, err)
			return
		}
		Expect(err).NotTo(HaveOccurred())
		s.mu.Lock()
		s.voted[p.Name] = true
		s.mu.Unlock()
	})
}

// randomChange picks one change to role, with `from` as the CLI fills it,
// sometimes a stale `from` or none at all.
func randomChange(rng *rand.Rand, role *v1.Role, k int) v1.Change {
	if len(role.Spec.Skills) == 0 {
		return v1.Change{Op: v1.OpAddSkill, Skill: stormSkills[rng.IntN(len(stormSkills))], Cells: randomCells(rng)}
	}
	row := role.Spec.Skills[rng.IntN(len(role.Spec.Skills))]
	cell := row.Cells[rng.IntN(len(row.Cells))]
	level := role.Spec.Levels[rng.IntN(len(role.Spec.Levels))]
	switch r := rng.IntN(100); {
	case r < 40:
		to := otherProficiency(rng, cell.Proficiency)
		from := cell.Proficiency
		if rng.IntN(10) == 0 {
			from = stormProfs[rng.IntN(len(stormProfs))] // stale: Conflicted unless it happens to hold
		}
		return v1.Change{Op: v1.OpSetProficiency, Skill: row.ID, Level: cell.Level, Proficiency: to,
			From: &v1.ChangeValue{Proficiency: from}}
	case r < 55:
		return v1.Change{Op: v1.OpSetRequired, Skill: row.ID, Level: cell.Level, Required: new(!cell.Required),
			From: &v1.ChangeValue{Required: new(cell.Required)}}
	case r < 65:
		return v1.Change{Op: v1.OpSetFocus, Level: level.Level, Focus: new(fmt.Sprintf("Focus %d", k)),
			From: &v1.ChangeValue{Focus: new(level.Focus)}}
	case r < 72:
		c := v1.Change{Op: v1.OpSetTechStack, Level: level.Level, TechStack: []string{"Go", fmt.Sprintf("Tool %d", k)}}
		if len(level.TechStack) > 0 {
			c.From = &v1.ChangeValue{TechStack: level.TechStack}
		}
		return c
	case r < 82:
		for _, id := range stormSkills {
			if !slices.ContainsFunc(role.Spec.Skills, func(s v1.SkillRequirement) bool { return s.ID == id }) {
				return v1.Change{Op: v1.OpAddSkill, Skill: id, Cells: randomCells(rng)}
			}
		}
		return v1.Change{Op: v1.OpRemoveSkill, Skill: row.ID}
	case r < 90:
		if len(role.Spec.Skills) > 3 {
			return v1.Change{Op: v1.OpRemoveSkill, Skill: row.ID}
		}
		fallthrough
	default:
		// No `from`: it never conflicts, and is Invalid while it would change nothing.
		return v1.Change{Op: v1.OpSetProficiency, Skill: row.ID, Level: cell.Level,
			Proficiency: otherProficiency(rng, cell.Proficiency)}
	}
}

func otherProficiency(rng *rand.Rand, p v1.ProficiencyID) v1.ProficiencyID {
	others := slices.DeleteFunc(slices.Clone(stormProfs), func(x v1.ProficiencyID) bool { return x == p })
	return others[rng.IntN(len(others))]
}

// edit changes one or two cells, and sometimes a focus, of a random Role as
// kubectl edit would: read, change, update guarded by the resourceVersion,
// again on conflict. It records the edit by the resourceVersion it produced.
func (s *storm) edit(ctx context.Context, rng *rand.Rand) {
	GinkgoHelper()
	for range 50 {
		role := s.randomRole(ctx, rng)
		e := roleEdit{Role: role.Name}
		for range min(1+rng.IntN(2), len(role.Spec.Skills)) {
			row := role.Spec.Skills[rng.IntN(len(role.Spec.Skills))]
			cell := row.Cells[rng.IntN(len(row.Cells))]
			e.Cells = append(e.Cells, cellEdit{Skill: row.ID, Level: cell.Level,
				Proficiency: otherProficiency(rng, cell.Proficiency), Required: rng.IntN(2) == 0})
		}
		if rng.IntN(3) == 0 || len(e.Cells) == 0 {
			level := role.Spec.Levels[rng.IntN(len(role.Spec.Levels))].Level
			e.Focus = map[v1.ID]string{level: fmt.Sprintf("Edited focus %d", rng.IntN(1e6))}
		}
		e.apply(&role.Spec)
		err := k8sClient.Update(ctx, role, client.FieldOwner("kubectl-edit"))
		if apierrors.IsConflict(err) {
			continue
		}
		Expect(err).NotTo(HaveOccurred())
		s.edits.record(role.ResourceVersion, e)
		return
	}
	Fail("a Role edit lost the optimistic-lock race 50 times in a row")
}

// settled is a poll function: "" once every Proposal has reached the phase
// it must end in (voted ones Applied, Conflicted or Invalid; others Open,
// Conflicted or Invalid), every Applied one is in its Role's history, and
// every Role publishes a fresh render.
func (s *storm) settled() string {
	var proposals v1.ProposalList
	if err := k8sClient.List(suiteCtx, &proposals, client.InNamespace(s.ns)); err != nil {
		return err.Error()
	}
	var roles v1.RoleList
	if err := k8sClient.List(suiteCtx, &roles, client.InNamespace(s.ns)); err != nil {
		return err.Error()
	}
	history := map[string]bool{}
	for _, r := range roles.Items {
		for _, h := range r.Status.History {
			history[h.UID] = true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var problems []string
	for _, p := range proposals.Items {
		phase := p.Status.Phase
		want := []v1.ProposalPhase{v1.PhaseOpen, v1.PhaseConflicted, v1.PhaseInvalid}
		if s.voted[p.Name] {
			want = []v1.ProposalPhase{v1.PhaseApplied, v1.PhaseConflicted, v1.PhaseInvalid}
		}
		switch {
		// A final phase is final: the controller no longer looks at the
		// Proposal. (Admission freezes votes on Applied, Rejected and
		// Expired Proposals but not on Conflicted ones, so a vote on a
		// Conflicted Proposal leaves its observedGeneration behind.)
		case p.Status.ObservedGeneration != p.Generation && phase != v1.PhaseConflicted && phase != v1.PhaseApplied:
			problems = append(problems, fmt.Sprintf("%s: generation %d not observed", p.Name, p.Generation))
		case !slices.Contains(want, phase):
			problems = append(problems, fmt.Sprintf("%s: phase %q", p.Name, phase))
		case phase == v1.PhaseApplied && !history[string(p.UID)]:
			problems = append(problems, fmt.Sprintf("%s: Applied but not in the history yet", p.Name))
		}
	}
	if len(problems) > 0 {
		return strings.Join(problems, "\n")
	}
	return allPublished(s.ns)()
}
