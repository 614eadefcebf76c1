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

const proposalBranch = "skillmatrix/p-uid-1"

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

// pushToBranch writes uid-1 in Branch mode and returns its commit.
func (f *fixture) pushToBranch(t *testing.T) string {
	t.Helper()
	res, err := f.w.Write(context.Background(), f.branchMode(), []Proposal{proposal("uid-1", setK8sSenior("W", "V"))})
	if err != nil || res[0].Err != nil || res[0].Existing {
		t.Fatal(err, res)
	}
	return res[0].Commit
}

func (f *fixture) locate(t *testing.T, commit string) Location {
	t.Helper()
	loc, err := f.w.Locate(context.Background(), f.cfg, proposal("uid-1"), commit, proposalBranch)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestBranchModePushesABranchOfItsOwnOnce(t *testing.T) {
	f := newFixture(t)
	commit := f.pushToBranch(t)
	if log := f.log(t); len(log) != 1 {
		t.Errorf("main moved: %q", log)
	}
	branchLog, err := f.srv.Log("roles", proposalBranch)
	if err != nil || len(branchLog) != 2 || !strings.HasPrefix(branchLog[0], commit+" ") {
		t.Fatalf("branch log %q (%v), want our commit %s on main's head", branchLog, err, commit)
	}
	if got := f.branches(t); !slices.Equal(got, []string{"main", proposalBranch}) {
		t.Errorf("branches %q", got)
	}

	// A restarted operator (empty cache, status never written) finds it.
	p := proposal("uid-1", setK8sSenior("W", "V"))
	again, err := NewWriter(t.TempDir(), Options{}).Write(context.Background(), f.branchMode(), []Proposal{p})
	if err != nil || !again[0].Existing || again[0].Commit != commit || again[0].Path != rolePath {
		t.Fatalf("second write %v %+v, want the first commit found on the branch", err, again)
	}
	if branchLog, _ := f.srv.Log("roles", proposalBranch); len(branchLog) != 2 {
		t.Errorf("committed twice: %q", branchLog)
	}
}

func TestBranchModeRefusesABranchWithoutTheProposal(t *testing.T) {
	f := newFixture(t)
	same := f.cfg
	same.PushBranch = "main"
	if _, err := f.w.Write(context.Background(), same, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("push branch = tracked branch: got %v, want ErrConfig", err)
	}
	bad := f.cfg
	bad.PushBranch = "skillmatrix/..x"
	if _, err := f.w.Write(context.Background(), bad, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("push branch %q: got %v, want ErrConfig", bad.PushBranch, err)
	}
	// The branch exists with another Proposal's commit (and main's older
	// trailers under it): uid-1 is not on it, so nothing is pushed over it.
	first, err := f.w.Write(context.Background(), f.branchMode(), []Proposal{proposal("uid-9", setK8sSenior("W", "A"))})
	if err != nil || first[0].Err != nil {
		t.Fatal(err, first)
	}
	_, err = f.w.Write(context.Background(), f.branchMode(), []Proposal{proposal("uid-1", setK8sSenior("W", "V"))})
	if !errors.Is(err, ErrBranchTaken) {
		t.Fatalf("got %v, want ErrBranchTaken", err)
	}
	if branchLog, _ := f.srv.Log("roles", proposalBranch); len(branchLog) != 2 || !strings.HasPrefix(branchLog[0], first[0].Commit) {
		t.Errorf("the branch changed: %q", branchLog)
	}
}

func TestLocateFollowsTheBranch(t *testing.T) {
	v := strings.Replace(roleFile, "{level: senior, proficiency: W}", "{level: senior, proficiency: V}", 1)
	e := strings.Replace(roleFile, "{level: senior, proficiency: W}", "{level: senior, proficiency: E}", 1)
	tests := []struct {
		name string
		// act is what people do after the push.
		act            func(f *fixture, commit string) error
		merged, branch bool
		manifest       string
	}{
		{name: "pushed, not merged", act: func(*fixture, string) error { return nil }, branch: true, manifest: roleFile},
		{name: "merge commit", act: func(f *fixture, _ string) error {
			return f.srv.Merge("roles", "main", proposalBranch, gitserver.MergeCommit, "Merge request !1", nil)
		}, merged: true, branch: true, manifest: v},
		{name: "squash with the messages, branch deleted", act: func(f *fixture, _ string) error {
			msg := "Kubernetes matters more (!1)\n\n* Kubernetes matters more\n\nProposal: career/p-uid-1\nProposal-UID: uid-1\n\nSee merge request !1"
			if err := f.srv.Merge("roles", "main", proposalBranch, gitserver.MergeSquash, msg, nil); err != nil {
				return err
			}
			return f.srv.DeleteBranch("roles", proposalBranch)
		}, merged: true, manifest: v},
		{name: "merged with another value", act: func(f *fixture, _ string) error {
			return f.srv.Merge("roles", "main", proposalBranch, gitserver.MergeCommit, "Merge, E after all", map[string]string{rolePath: e})
		}, merged: true, branch: true, manifest: e},
		{name: "squash that dropped the trailer", act: func(f *fixture, _ string) error {
			return f.srv.Merge("roles", "main", proposalBranch, gitserver.MergeSquash, "squashed without the trailers", nil)
		}, branch: true, manifest: v},
		{name: "deleted unmerged", act: func(f *fixture, _ string) error {
			return f.srv.DeleteBranch("roles", proposalBranch)
		}, manifest: roleFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			commit := f.pushToBranch(t)
			if err := tt.act(f, commit); err != nil {
				t.Fatal(err)
			}
			loc := f.locate(t, commit)
			if head := f.log(t)[0]; !strings.HasPrefix(head, loc.TrackedHead+" ") {
				t.Errorf("tracked head %s, want %.40s", loc.TrackedHead, head)
			}
			if (loc.Merged != "") != tt.merged || (loc.BranchHead != "") != tt.branch {
				t.Fatalf("location %+v, want merged %v, branch %v", loc, tt.merged, tt.branch)
			}
			if tt.branch && loc.BranchHead != commit {
				t.Errorf("branch head %s, want %s", loc.BranchHead, commit)
			}
			if string(loc.Manifest) != tt.manifest || loc.ManifestPath != rolePath || loc.ManifestErr != nil {
				t.Errorf("manifest %s (%v):\n%s", loc.ManifestPath, loc.ManifestErr, loc.Manifest)
			}
		})
	}
}

func TestLocateInDirectMode(t *testing.T) {
	f := newFixture(t)
	res, err := f.w.Write(context.Background(), f.cfg, []Proposal{proposal("uid-1", setK8sSenior("W", "V"))})
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res)
	}
	if err := f.srv.Commit("roles", "main", map[string]string{"README.md": "later\n"}, "a later commit"); err != nil {
		t.Fatal(err)
	}
	loc, err := NewWriter(t.TempDir(), Options{}).Locate(context.Background(), f.cfg, proposal("uid-1"), res[0].Commit, "")
	if err != nil || loc.Merged != res[0].Commit || loc.BranchHead != "" || loc.ManifestPath != rolePath {
		t.Fatalf("%v %+v", err, loc)
	}
	// Moved away: the Role's manifest is no longer under the path.
	if err := f.srv.Commit("roles", "main", map[string]string{rolePath: "# moved to another repository\n"}, "move out"); err != nil {
		t.Fatal(err)
	}
	loc, err = f.w.Locate(context.Background(), f.cfg, proposal("uid-1"), res[0].Commit, "")
	if err != nil || loc.Merged == "" || !errors.Is(loc.ManifestErr, manifestedit.ErrNotFound) {
		t.Fatalf("%v %+v", err, loc)
	}
	other := f.cfg
	other.Branch = "release"
	if _, err := f.w.Locate(context.Background(), other, proposal("uid-1"), res[0].Commit, ""); !errors.Is(err, ErrBranchNotFound) {
		t.Errorf("missing tracked branch: got %v", err)
	}
}

func TestMentionsProposalUID(t *testing.T) {
	tests := []struct {
		msg  string
		want bool
	}{
		{"t\n\nProposal-UID: u1\n", true},
		{"squash (#3)\n\n* t\n\nProposal-UID: u1\nProposed-by: a\n\nCo-authored-by: x", true},
		{"t\n\n  * Proposal-UID:   u1  \r\n", true},
		{"t\n\nProposal-UID: u12\n", false},
		{"t\n\nProposal-UID: xu1\n", false},
		{"mentions Proposal-UID: u1 in prose", false},
		{"t\n\nProposal: u1\n", false},
	}
	for _, tt := range tests {
		if got := mentionsProposalUID(tt.msg, "u1"); got != tt.want {
			t.Errorf("%q: got %v", tt.msg, got)
		}
	}
	if mentionsProposalUID("Proposal-UID: \n", "") {
		t.Error("an empty uid matched")
	}
}

func TestBranchName(t *testing.T) {
	tests := []struct{ prefix, name, want string }{
		{"skillmatrix/", "raise-k8s", "skillmatrix/raise-k8s"},
		{"", "raise-k8s", "raise-k8s"},
		{"mr/team.a/", "p.1", "mr/team.a/p.1"},
		{"a..", "p", ""},
		{"x/", "p.lock", ""},
		{"x/.", "p", ""},
		{"-x/", "p", ""},
		{"x//", "p", ""},
		{"x y/", "p", ""},
		{"x@{", "p", ""},
		{"x\t", "p", ""},
		{"x/", "p.", ""},
	}
	for _, tt := range tests {
		if got := BranchName(tt.prefix, tt.name); got != tt.want {
			t.Errorf("BranchName(%q, %q) = %q, want %q", tt.prefix, tt.name, got, tt.want)
		}
	}
}
