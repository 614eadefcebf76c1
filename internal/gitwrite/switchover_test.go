package gitwrite

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/switchover"
)

func switchOverOf(carried ...switchover.Carried) SwitchOver {
	so := SwitchOver{Namespace: "career", Role: "mlops-engineer"}
	for _, c := range carried {
		ns, name, _ := strings.Cut(c.Proposal, "/")
		so.Proposals = append(so.Proposals, CarriedProposal{Namespace: ns, Name: name, UID: c.UID, Title: "title of " + name})
	}
	so.Plan = func(git *v1alpha1.RoleSpec) ([]v1alpha1.Change, error) {
		cluster := git.DeepCopy() // the cluster is not what this test is about
		plan := switchover.MakePlan(git, cluster, carried)
		if len(plan.Conflicts) > 0 {
			return nil, &switchover.ConflictError{Conflicts: plan.Conflicts}
		}
		return plan.Changes, nil
	}
	return so
}

func TestSwitchOverCommitsOnceWithATrailerPairPerProposal(t *testing.T) {
	f := newFixture(t)
	so := switchOverOf(
		switchover.Carried{Proposal: "career/k8s", UID: "uid-a", Changes: []v1alpha1.Change{setK8sSenior("W", "V")}},
		switchover.Carried{Proposal: "career/py", UID: "uid-b", Changes: []v1alpha1.Change{{
			Op: v1alpha1.OpSetProficiency, Skill: "python", Level: "junior", Proficiency: "V", From: &v1alpha1.ChangeValue{Proficiency: "W"}}}},
	)
	res, err := f.w.SwitchOver(context.Background(), f.cfg, so)
	if err != nil || res.Err != nil || res.Existing || res.Path != rolePath || len(res.Changes) != 2 {
		t.Fatalf("result %+v, %v", res, err)
	}
	log := f.log(t)
	if len(log) != 2 || !strings.HasPrefix(log[0], res.Commit+" ") {
		t.Fatalf("log %q", log)
	}
	wantMsg := "Switch Role mlops-engineer over to Git write-back\n\n" +
		"Carries 2 Proposal(s) promoted in the cluster before write-back:\n- career/k8s: title of k8s\n- career/py: title of py\n\n" +
		"Changes:\n- SetProficiency kubernetes@senior: W -> V\n- SetProficiency python@junior: W -> V\n\n" +
		"Proposal: career/k8s\nProposal-UID: uid-a\nProposal: career/py\nProposal-UID: uid-b"
	if got := strings.TrimPrefix(log[0], res.Commit+" "); got != wantMsg {
		t.Errorf("message:\n%s\nwant:\n%s", got, wantMsg)
	}
	want := strings.Replace(roleFile, "{level: senior, proficiency: W}  # promoted", "{level: senior, proficiency: V}  # promoted", 1)
	want = strings.Replace(want, "{level: junior, proficiency: W}", "{level: junior, proficiency: V}", 1)
	if got := f.show(t, "main:"+rolePath); got != want {
		t.Errorf("file:\n%s", got)
	}

	// Again, with the commit recorded: found by its trailers.
	so.Known = []string{res.Commit}
	again, err := f.w.SwitchOver(context.Background(), f.cfg, so)
	if err != nil || !again.Existing || again.Commit != res.Commit || again.Path != rolePath {
		t.Fatalf("second call %+v, %v", again, err)
	}
	// Again after a crash before the record: the commit's trailers are
	// not trusted (unsigned, unrecorded), and Git carries every field, so
	// nothing is committed either.
	so.Known = nil
	again, err = f.w.SwitchOver(context.Background(), f.cfg, so)
	if err != nil || again.Existing || again.Commit != "" || again.Err != nil {
		t.Fatalf("third call %+v, %v", again, err)
	}
	if n := len(f.log(t)); n != 2 {
		t.Errorf("%d commits, want 2", n)
	}
}

// A commit anyone pushed with a carried Proposal's trailer does not make
// the switch-over think Git carries it: the cluster's change is committed,
// and a deleted Proposal it names is still reported as not in Git.
func TestSwitchOverIgnoresForgedTrailers(t *testing.T) {
	f := newFixture(t)
	forged := "docs\n\nProposal: career/k8s\nProposal-UID: uid-a\nProposal-UID: uid-gone\n"
	if err := f.srv.Commit("roles", "main", map[string]string{"README.md": "x\n"}, forged); err != nil {
		t.Fatal(err)
	}
	so := switchOverOf(switchover.Carried{Proposal: "career/k8s", UID: "uid-a", Changes: []v1alpha1.Change{setK8sSenior("W", "V")}})
	so.Unknown = []string{"uid-gone"}
	res, err := f.w.SwitchOver(context.Background(), f.cfg, so)
	if err != nil || res.Err != nil || res.Existing || res.Commit == "" || !slices.Equal(res.UnknownNotInGit, []string{"uid-gone"}) {
		t.Fatalf("result %+v, %v", res, err)
	}
}

func TestSwitchOverReportsAGitEditPerFieldAndCommitsNothing(t *testing.T) {
	f := newFixture(t)
	human := strings.Replace(roleFile, "{level: senior, proficiency: W}", "{level: senior, proficiency: E}", 1)
	if err := f.srv.Commit("roles", "main", map[string]string{rolePath: human}, "kubernetes: seniors are experts"); err != nil {
		t.Fatal(err)
	}
	so := switchOverOf(switchover.Carried{Proposal: "career/k8s", UID: "uid-a", Changes: []v1alpha1.Change{setK8sSenior("W", "V")}})
	res, err := f.w.SwitchOver(context.Background(), f.cfg, so)
	if err != nil || res.Commit != "" {
		t.Fatalf("result %+v, %v", res, err)
	}
	conflict, ok := errors.AsType[*switchover.ConflictError](res.Err)
	if !ok || len(conflict.Conflicts) != 1 || conflict.Conflicts[0].Field != "skills[kubernetes].cells[senior].proficiency" ||
		conflict.Conflicts[0].Git != `"E"` {
		t.Fatalf("err %v", res.Err)
	}
	if n := len(f.log(t)); n != 2 {
		t.Errorf("%d commits, want the seed and the human one", n)
	}
}

func TestSwitchOverWithNothingGitLacksCommitsNothing(t *testing.T) {
	f := newFixture(t)
	so := switchOverOf(switchover.Carried{Proposal: "career/k8s", UID: "uid-a", Changes: []v1alpha1.Change{setK8sSenior("A", "W")}})
	res, err := f.w.SwitchOver(context.Background(), f.cfg, so)
	if err != nil || res.Err != nil || res.Commit != "" || res.Changes != nil {
		t.Fatalf("result %+v, %v", res, err)
	}
	if n := len(f.log(t)); n != 1 {
		t.Errorf("%d commits, want the seed alone", n)
	}
}
