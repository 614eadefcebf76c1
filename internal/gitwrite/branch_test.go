package gitwrite

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/manifestedit"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/gitserver"
)

const proposalBranch = "skillmatrix/career/p-uid-1"

func (f *fixture) branchMode() Config {
	cfg := f.cfg
	cfg.PushBranch = proposalBranch
	return cfg
}

func (f *fixture) branches(t *testing.T) []string {
	t.Helper()
	b, err := f.srv.Branches("roles")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pushToBranch writes uid-1 in Branch mode and returns its record.
func (f *fixture) pushToBranch(t *testing.T) Record {
	t.Helper()
	res := f.write(t, f.branchMode(), proposal("uid-1", setK8sSenior("W", "V")))
	if res.Err != nil || res.Existing {
		t.Fatal(res)
	}
	return res.Record
}

func (f *fixture) locate(t *testing.T, rec Record) Location {
	t.Helper()
	loc, err := f.w.Locate(context.Background(), f.cfg, proposal("uid-1", setK8sSenior("W", "V")), rec)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestBranchModePushesABranchOfItsOwnOnce(t *testing.T) {
	f := newFixture(t)
	rec := f.pushToBranch(t)
	if log := f.log(t); len(log) != 1 {
		t.Errorf("main moved: %q", log)
	}
	branchLog, err := f.srv.Log("roles", proposalBranch)
	if err != nil || len(branchLog) != 2 || !strings.HasPrefix(branchLog[0], rec.SHA+" ") || rec.Branch != proposalBranch {
		t.Fatalf("branch log %q (%v), want our commit %s on main's head", branchLog, err, rec.SHA)
	}
	if got := f.branches(t); !slices.Equal(got, []string{"main", proposalBranch}) {
		t.Errorf("branches %q", got)
	}

	// A restarted operator (empty cache) with the record finds it.
	p := proposal("uid-1", setK8sSenior("W", "V"))
	again, err := NewWriter(t.TempDir(), Options{}).Write(context.Background(), f.branchMode(), p, &rec, f.record)
	if err != nil || !again.Existing || again.Record != rec || len(f.records) != 1 {
		t.Fatalf("second write %v %+v, want the recorded commit found on the branch", err, again)
	}
	if branchLog, _ := f.srv.Log("roles", proposalBranch); len(branchLog) != 2 {
		t.Errorf("committed twice: %q", branchLog)
	}
}

func TestBranchModeRefusesBadBranchNames(t *testing.T) {
	f := newFixture(t)
	p := proposal("uid-1", setK8sSenior("W", "V"))
	same := f.cfg
	same.PushBranch = "main"
	if _, err := f.w.Write(context.Background(), same, p, nil, f.record); !errors.Is(err, ErrConfig) {
		t.Errorf("push branch = tracked branch: got %v, want ErrConfig", err)
	}
	bad := f.cfg
	bad.PushBranch = "skillmatrix/..x"
	if _, err := f.w.Write(context.Background(), bad, p, nil, f.record); !errors.Is(err, ErrConfig) {
		t.Errorf("push branch %q: got %v, want ErrConfig", bad.PushBranch, err)
	}
}

// Attack 1: someone who may push branches pushes the Proposal's branch
// first, with a commit that drops a skill, lowers a cell and adds a file,
// ending with the Proposal's UID as a trailer. It is never adopted nor
// pushed over, and the error says who holds it.
func TestBranchModeNeverAdoptsASquattedBranch(t *testing.T) {
	f := newFixture(t)
	squat := strings.Replace(roleFile, "{level: senior, proficiency: W}", "{level: senior, proficiency: A}", 1)
	squat = squat[:strings.Index(squat, "    - id: python")]
	msg := "Kubernetes matters more\n\nProposal: career/p-uid-1\nProposal-UID: uid-1\nProposed-by: alice\n"
	if err := f.srv.CommitOn("roles", "main", proposalBranch, map[string]string{rolePath: squat, "roles/backdoor.yaml": "x: 1\n"}, msg); err != nil {
		t.Fatal(err)
	}
	before, _ := f.srv.Log("roles", proposalBranch)
	_, err := f.w.Write(context.Background(), f.branchMode(), proposal("uid-1", setK8sSenior("W", "V")), nil, f.record)
	taken, ok := errors.AsType[*BranchTakenError](err)
	if !errors.Is(err, ErrBranchTaken) || !ok || taken.Author != "Human <human@example.com>" || taken.Committer != "Human <human@example.com>" ||
		!strings.HasPrefix(before[0], taken.Head) {
		t.Fatalf("got %v (%+v), want ErrBranchTaken naming the human", err, taken)
	}
	if len(f.records) != 0 {
		t.Errorf("recorded %+v", f.records)
	}
	if after, _ := f.srv.Log("roles", proposalBranch); !slices.Equal(after, before) {
		t.Errorf("the branch changed: %q", after)
	}

	// Pushed by the operator, then replaced by someone: not pushed over.
	f2 := newFixture(t)
	rec := f2.pushToBranch(t)
	if err := f2.srv.DeleteBranch("roles", proposalBranch); err != nil {
		t.Fatal(err)
	}
	if err := f2.srv.CommitOn("roles", "main", proposalBranch, map[string]string{"x.txt": "x\n"}, msg); err != nil {
		t.Fatal(err)
	}
	if _, err := NewWriter(t.TempDir(), Options{}).Write(context.Background(), f2.branchMode(), proposal("uid-1", setK8sSenior("W", "V")), &rec, f2.record); !errors.Is(err, ErrBranchTaken) {
		t.Errorf("replaced branch: got %v", err)
	}
	if loc := f2.locate(t, rec); loc.BranchHolder == nil || loc.BranchHolder.Author != "Human <human@example.com>" || loc.Merged != "" {
		t.Errorf("location %+v", loc)
	}
}

func TestLocateFollowsTheBranch(t *testing.T) {
	v := strings.Replace(roleFile, "{level: senior, proficiency: W}", "{level: senior, proficiency: V}", 1)
	e := strings.Replace(roleFile, "{level: senior, proficiency: W}", "{level: senior, proficiency: E}", 1)
	extra := func(f *fixture) error {
		return f.srv.CommitOn("roles", proposalBranch, proposalBranch, map[string]string{"roles/new.yaml": "x: 1\n"}, "ride along")
	}
	tests := []struct {
		name string
		// act is what people do after the push.
		act            func(f *fixture) error
		merged, branch bool
		// squashed: Merged is not the recorded commit; withOthers: a
		// commit made the edit with other changes.
		squashed, withOthers bool
		extra, branchExtra   int
		manifest             string
	}{
		{name: "pushed, not merged", act: func(*fixture) error { return nil }, branch: true, manifest: roleFile},
		{name: "merge commit", act: func(f *fixture) error {
			return f.srv.Merge("roles", "main", proposalBranch, gitserver.MergeCommit, "Merge request !1", nil)
		}, merged: true, branch: true, manifest: v},
		{name: "squash with the messages, branch deleted", act: func(f *fixture) error {
			msg := "Kubernetes matters more (!1)\n\n* Kubernetes matters more\n\nProposal: career/p-uid-1\nProposal-UID: uid-1\n\nSee merge request !1"
			if err := f.srv.Merge("roles", "main", proposalBranch, gitserver.MergeSquash, msg, nil); err != nil {
				return err
			}
			return f.srv.DeleteBranch("roles", proposalBranch)
		}, merged: true, squashed: true, manifest: v},
		{name: "merged with another value", act: func(f *fixture) error {
			return f.srv.Merge("roles", "main", proposalBranch, gitserver.MergeCommit, "Merge, E after all", map[string]string{rolePath: e})
		}, merged: true, branch: true, manifest: e},
		{name: "squash that dropped the trailer", act: func(f *fixture) error {
			return f.srv.Merge("roles", "main", proposalBranch, gitserver.MergeSquash, "squashed without the trailers", nil)
		}, merged: true, squashed: true, branch: true, manifest: v},
		{name: "squash with another value and the trailer", act: func(f *fixture) error {
			msg := "squash\n\nProposal-UID: uid-1\n"
			return f.srv.Merge("roles", "main", proposalBranch, gitserver.MergeSquash, msg, map[string]string{rolePath: e})
		}, branch: true, manifest: e},
		{name: "deleted unmerged", act: func(f *fixture) error {
			return f.srv.DeleteBranch("roles", proposalBranch)
		}, manifest: roleFile},
		{name: "a commit on top, not merged", act: extra, branch: true, branchExtra: 1, manifest: roleFile},
		{name: "a commit on top, merged with a merge commit", act: func(f *fixture) error {
			if err := extra(f); err != nil {
				return err
			}
			return f.srv.Merge("roles", "main", proposalBranch, gitserver.MergeCommit, "Merge request !1", nil)
		}, merged: true, branch: true, extra: 1, branchExtra: 1, manifest: v},
		{name: "a commit on top, squashed", act: func(f *fixture) error {
			if err := extra(f); err != nil {
				return err
			}
			if err := f.srv.Merge("roles", "main", proposalBranch, gitserver.MergeSquash, "squash", nil); err != nil {
				return err
			}
			return f.srv.DeleteBranch("roles", proposalBranch)
		}, withOthers: true, manifest: v},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			rec := f.pushToBranch(t)
			if err := tt.act(f); err != nil {
				t.Fatal(err)
			}
			loc := f.locate(t, rec)
			if head := f.log(t)[0]; !strings.HasPrefix(head, loc.TrackedHead+" ") {
				t.Errorf("tracked head %s, want %.40s", loc.TrackedHead, head)
			}
			if (loc.Merged != "") != tt.merged || (loc.BranchHead != "") != tt.branch || (loc.MergedWithOthers != "") != tt.withOthers ||
				len(loc.Extra) != tt.extra || len(loc.BranchExtra) != tt.branchExtra || loc.BranchHolder != nil {
				t.Fatalf("location %+v, want merged %v, branch %v, withOthers %v, extra %d, branchExtra %d",
					loc, tt.merged, tt.branch, tt.withOthers, tt.extra, tt.branchExtra)
			}
			if tt.merged && (loc.Merged == rec.SHA) == tt.squashed {
				t.Errorf("merged as %s, recorded %s, squashed %v", loc.Merged, rec.SHA, tt.squashed)
			}
			if tt.branch && tt.branchExtra == 0 && loc.BranchHead != rec.SHA {
				t.Errorf("branch head %s, want %s", loc.BranchHead, rec.SHA)
			}
			for _, c := range append(loc.Extra, loc.BranchExtra...) {
				if c.Author != "Human <human@example.com>" || c.Subject != "ride along" {
					t.Errorf("foreign commit %+v", c)
				}
			}
			if string(loc.Manifest) != tt.manifest || loc.ManifestPath != rolePath || loc.ManifestErr != nil {
				t.Errorf("manifest %s (%v):\n%s", loc.ManifestPath, loc.ManifestErr, loc.Manifest)
			}
		})
	}
}

func TestLocateInDirectMode(t *testing.T) {
	f := newFixture(t)
	res := f.write(t, f.cfg, proposal("uid-1", setK8sSenior("W", "V")))
	if res.Err != nil {
		t.Fatal(res)
	}
	if err := f.srv.Commit("roles", "main", map[string]string{"README.md": "later\n"}, "a later commit"); err != nil {
		t.Fatal(err)
	}
	loc, err := NewWriter(t.TempDir(), Options{}).Locate(context.Background(), f.cfg, proposal("uid-1"), res.Record)
	if err != nil || loc.Merged != res.Record.SHA || loc.BranchHead != "" || loc.ManifestPath != rolePath || len(loc.Extra) != 0 {
		t.Fatalf("%v %+v", err, loc)
	}
	// Moved away: the Role's manifest is no longer under the path.
	if err := f.srv.Commit("roles", "main", map[string]string{rolePath: "# moved to another repository\n"}, "move out"); err != nil {
		t.Fatal(err)
	}
	loc, err = f.w.Locate(context.Background(), f.cfg, proposal("uid-1"), res.Record)
	if err != nil || loc.Merged == "" || !errors.Is(loc.ManifestErr, manifestedit.ErrNotFound) {
		t.Fatalf("%v %+v", err, loc)
	}
	other := f.cfg
	other.Branch = "release"
	if _, err := f.w.Locate(context.Background(), other, proposal("uid-1"), res.Record); !errors.Is(err, ErrBranchNotFound) {
		t.Errorf("missing tracked branch: got %v", err)
	}
	// A forged trailer on the tracked branch does not make a lost commit
	// found.
	lost := res.Record
	lost.SHA = strings.Repeat("1", 40)
	if err := f.srv.Commit("roles", "main", map[string]string{"README.md": "x\n"}, "x\n\nProposal-UID: uid-1\n"); err != nil {
		t.Fatal(err)
	}
	if loc, err := f.w.Locate(context.Background(), f.cfg, proposal("uid-1"), lost); err != nil || loc.Merged != "" {
		t.Errorf("%v %+v", err, loc)
	}
}

func TestBranchName(t *testing.T) {
	tests := []struct{ prefix, namespace, name, want string }{
		{"skillmatrix/", "career", "raise-k8s", "skillmatrix/career/raise-k8s"},
		{"", "career", "raise-k8s", "career/raise-k8s"},
		{"mr/team.a/", "ns", "p.1", "mr/team.a/ns/p.1"},
		{"x/", "ns", "p.lock", "x/ns/p.lock-"},
		{"x/", "a.lock", "p", "x/a.lock-/p"},
		{"a..", "ns", "p", ""},
		{"x/.", "ns", "p", ""},
		{"-x/", "ns", "p", ""},
		{"x//", "ns", "p", ""},
		{"x y/", "ns", "p", ""},
		{"x@{", "ns", "p", ""},
		{"x\t", "ns", "p", ""},
		{"x/", "ns", "p.", ""},
		{"x/", "ns", "P", ""},
		{"x/", "", "p", ""},
		{"x/", "ns", "a/b", ""},
	}
	for _, tt := range tests {
		if got := BranchName(tt.prefix, tt.namespace, tt.name); got != tt.want {
			t.Errorf("BranchName(%q, %q, %q) = %q, want %q", tt.prefix, tt.namespace, tt.name, got, tt.want)
		}
	}
}

// FuzzBranchName holds BranchName to git's ref rules and to telling
// namespaces apart: for Kubernetes names under a valid prefix it always
// makes a branch name git accepts (git check-ref-format's rules, written
// out in validBranchName and checked against git itself in the table
// above's cases), and two different namespace/name pairs never share one.
func FuzzBranchName(f *testing.F) {
	f.Add("skillmatrix/", "career", "raise", "other", "raise")
	f.Add("x/", "a.lock", "b", "a", "lock-")
	f.Add("", "a", "b.c", "a.b", "c")
	f.Fuzz(func(t *testing.T, prefix, ns1, n1, ns2, n2 string) {
		b1, b2 := BranchName(prefix, ns1, n1), BranchName(prefix, ns2, n2)
		if b1 != "" && !validBranchName(b1) {
			t.Fatalf("%q is not a valid branch name", b1)
		}
		if isKubernetesName(ns1) && isKubernetesName(n1) && validBranchName(prefix+"x/y") && !strings.Contains(prefix, ".lock/") && b1 == "" {
			t.Fatalf("BranchName(%q, %q, %q) is empty", prefix, ns1, n1)
		}
		if b1 != "" && b1 == b2 && (ns1 != ns2 || n1 != n2) {
			t.Fatalf("%s/%s and %s/%s share %q", ns1, n1, ns2, n2, b1)
		}
	})
}
