package gitwrite

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/manifestedit"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/gitserver"
)

const roleFile = `# Roles of the platform team.
apiVersion: career.skillmatrix.dev/v1alpha1
kind: Role
metadata:
  name: mlops-engineer
spec:
  matrixRef: engineering
  displayName: MLOps Engineer
  skills:
    - id: kubernetes
      cells:
        - {level: junior, proficiency: A}
        - {level: senior, proficiency: W}  # promoted last year
    - id: python
      cells:
        - {level: junior, proficiency: W}
        - {level: senior, proficiency: V}
`

const rolePath = "career/roles/mlops-engineer.yaml"

type fixture struct {
	srv *gitserver.Server
	w   *Writer
	cfg Config
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	srv := gitserver.Start(t)
	if err := srv.CreateRepo("roles", "main", map[string]string{rolePath: roleFile, "README.md": "# roles\n"}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	return &fixture{
		srv: srv,
		w:   NewWriter(t.TempDir(), Options{Now: func() time.Time { return now }}),
		cfg: Config{
			URL: srv.URL("roles"), Branch: "main", Path: "career",
			Credentials: Credentials{Username: gitserver.User, Password: gitserver.InitialPassword},
			Author:      Identity{Name: "Skill Matrix", Email: "bot@example.com"},
		},
	}
}

func proposal(uid string, changes ...v1alpha1.Change) Proposal {
	return Proposal{
		Namespace: "career", Name: "p-" + uid, UID: uid, Title: "Kubernetes matters more",
		Author: "alice", Role: "mlops-engineer", Changes: changes,
		ApprovedBy: []string{"bob", "carol"}, ReviewedBy: []string{"dave"},
	}
}

func setK8sSenior(from, to v1alpha1.ProficiencyID) v1alpha1.Change {
	return v1alpha1.Change{Op: v1alpha1.OpSetProficiency, Skill: "kubernetes", Level: "senior", Proficiency: to, From: &v1alpha1.ChangeValue{Proficiency: from}}
}

func (f *fixture) log(t *testing.T) []string {
	t.Helper()
	log, err := f.srv.Log("roles", "main")
	if err != nil {
		t.Fatal(err)
	}
	return log
}

func (f *fixture) show(t *testing.T, args ...string) string {
	t.Helper()
	out, err := f.srv.Show("roles", args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriteCommitsAndPushesWithTrailers(t *testing.T) {
	f := newFixture(t)
	start := time.Now()
	res, err := f.w.Write(context.Background(), f.cfg, []Proposal{proposal("uid-1", setK8sSenior("W", "V"))})
	t.Logf("first write (clone + commit + push): %v", time.Since(start))
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[0].Path != rolePath || res[0].Existing {
		t.Fatalf("result %+v", res[0])
	}
	log := f.log(t)
	if len(log) != 2 || !strings.HasPrefix(log[0], res[0].Commit+" ") {
		t.Fatalf("log %q, want our commit %s on the seed", log, res[0].Commit)
	}
	wantMsg := "Kubernetes matters more\n\n- SetProficiency kubernetes@senior: W -> V\n\n" +
		"Proposal: career/p-uid-1\nProposal-UID: uid-1\nProposed-by: alice\nApproved-by: bob\nApproved-by: carol\nReviewed-by: dave"
	if got := strings.TrimPrefix(log[0], res[0].Commit+" "); got != wantMsg {
		t.Errorf("message:\n%s\nwant:\n%s", got, wantMsg)
	}
	want := strings.Replace(roleFile, "{level: senior, proficiency: W}  # promoted", "{level: senior, proficiency: V}  # promoted", 1)
	if got := f.show(t, "main:"+rolePath); got != want {
		t.Errorf("file:\n%s", got)
	}
	if author := f.show(t, "--no-patch", "--format=%an <%ae> %aI", res[0].Commit); !strings.Contains(author, "Skill Matrix <bot@example.com> 2026-12-01T10:00:00+00:00") {
		t.Errorf("author %q", author)
	}

	start = time.Now()
	res, err = f.w.Write(context.Background(), f.cfg, []Proposal{proposal("uid-2", setK8sSenior("V", "E"))})
	t.Logf("second write (incremental fetch + commit + push): %v", time.Since(start))
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res)
	}
}

func TestWriteRetriesOnTheNewHeadAfterAHumanPush(t *testing.T) {
	f := newFixture(t)
	pushes := 0
	f.w.beforePush = func() {
		if pushes++; pushes == 1 {
			human := strings.Replace(roleFile, "{level: junior, proficiency: W}", "{level: junior, proficiency: V}", 1)
			if err := f.srv.Commit("roles", "main", map[string]string{rolePath: human}, "python: junior reads V"); err != nil {
				t.Error(err)
			}
		}
	}
	res, err := f.w.Write(context.Background(), f.cfg, []Proposal{proposal("uid-1", setK8sSenior("W", "V"))})
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res)
	}
	log := f.log(t)
	if len(log) != 3 || !strings.HasPrefix(log[0], res[0].Commit) || !strings.Contains(log[1], "python: junior reads V") {
		t.Fatalf("log %q: want seed, the human commit, ours on top", log)
	}
	got := f.show(t, "main:"+rolePath)
	if !strings.Contains(got, "{level: senior, proficiency: V}  # promoted") || !strings.Contains(got, "{level: junior, proficiency: V}") {
		t.Errorf("file lost one of the two edits:\n%s", got)
	}
	if pushes != 2 {
		t.Errorf("%d pushes, want 2", pushes)
	}
}

func TestWriteConflictsWithAGitEditOfTheCell(t *testing.T) {
	f := newFixture(t)
	human := strings.Replace(roleFile, "{level: senior, proficiency: W}", "{level: senior, proficiency: E}", 1)
	if err := f.srv.Commit("roles", "main", map[string]string{rolePath: human}, "kubernetes: senior E"); err != nil {
		t.Fatal(err)
	}
	res, err := f.w.Write(context.Background(), f.cfg, []Proposal{proposal("uid-1", setK8sSenior("W", "V"))})
	if err != nil {
		t.Fatal(err)
	}
	ce, ok := errors.AsType[*manifestedit.ConflictError](res[0].Err)
	if !ok || len(ce.Conflicts) != 1 || ce.Conflicts[0].Actual != "E" || res[0].Commit != "" {
		t.Fatalf("result %+v, want a conflict on the cell", res[0])
	}
	if log := f.log(t); len(log) != 2 {
		t.Errorf("log %q: nothing should be committed", log)
	}
}

func TestWriteIsExactlyOnceAcrossACrash(t *testing.T) {
	f := newFixture(t)
	p := proposal("uid-1", setK8sSenior("W", "V"))
	first, err := f.w.Write(context.Background(), f.cfg, []Proposal{p})
	if err != nil || first[0].Err != nil {
		t.Fatal(err, first)
	}
	// A new process: an empty cache, and the status never recorded the commit.
	restarted := NewWriter(t.TempDir(), Options{})
	again, err := restarted.Write(context.Background(), f.cfg, []Proposal{p})
	if err != nil {
		t.Fatal(err)
	}
	if !again[0].Existing || again[0].Commit != first[0].Commit || again[0].Path != rolePath {
		t.Fatalf("second write %+v, want the first commit %s found again", again[0], first[0].Commit)
	}
	if log := f.log(t); len(log) != 2 {
		t.Errorf("log %q: want one commit", log)
	}
}

func TestWriteBatchIsOneCommitPerProposal(t *testing.T) {
	f := newFixture(t)
	py := v1alpha1.Change{Op: v1alpha1.OpSetRequired, Skill: "python", Level: "senior", Required: new(true)}
	rm := v1alpha1.Change{Op: v1alpha1.OpRemoveSkill, Skill: "python"}
	res, err := f.w.Write(context.Background(), f.cfg, []Proposal{
		proposal("uid-1", setK8sSenior("W", "V")), proposal("uid-2", py), proposal("uid-3", setK8sSenior("W", "E")), proposal("uid-4", rm),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[2].Err == nil || !errors.Is(res[2].Err, manifestedit.ErrConflict) {
		t.Errorf("uid-3 expects W after uid-1 made it V: want a conflict, got %+v", res[2])
	}
	log := f.log(t)
	if len(log) != 4 {
		t.Fatalf("log %q: want seed + 3 commits", log)
	}
	for i, uid := range []string{"uid-4", "uid-2", "uid-1"} {
		if !strings.Contains(log[i], "Proposal-UID: "+uid) {
			t.Errorf("commit %d is not %s: %q", i, uid, log[i])
		}
	}
	if got := f.show(t, "main:"+rolePath); strings.Contains(got, "python") || !strings.Contains(got, "proficiency: V}  # promoted") {
		t.Errorf("file:\n%s", got)
	}
}

func TestWriteRepositoryFailures(t *testing.T) {
	f := newFixture(t)
	p := []Proposal{proposal("uid-1", setK8sSenior("W", "V"))}
	f.srv.SetPassword("rotated")
	if _, err := f.w.Write(context.Background(), f.cfg, p); !errors.Is(err, ErrAuthentication) {
		t.Fatalf("wrong password: got %v", err)
	}
	f.srv.SetPassword(gitserver.InitialPassword)
	f.srv.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := f.w.Write(ctx, f.cfg, p); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("server down: got %v", err)
	}
	if err := f.srv.Restart(); err != nil {
		t.Fatal(err)
	}
	if res, err := f.w.Write(ctx, f.cfg, p); err != nil || res[0].Err != nil {
		t.Fatalf("after the restart: %v %+v", err, res)
	}
	other := f.cfg
	other.URL = f.srv.URL("missing")
	if _, err := f.w.Write(ctx, other, p); !errors.Is(err, ErrRepositoryNotFound) {
		t.Errorf("missing repository: got %v", err)
	}
	other = f.cfg
	other.Branch = "release"
	if _, err := f.w.Write(ctx, other, p); !errors.Is(err, ErrBranchNotFound) {
		t.Errorf("missing branch: got %v", err)
	}
}

func TestWriteManifestMissingOrTwice(t *testing.T) {
	f := newFixture(t)
	missing := proposal("uid-1", setK8sSenior("W", "V"))
	missing.Role = "data-engineer"
	res, err := f.w.Write(context.Background(), f.cfg, []Proposal{missing})
	if err != nil || !errors.Is(res[0].Err, manifestedit.ErrNotFound) {
		t.Fatalf("missing: %v %+v", err, res)
	}
	if err := f.srv.Commit("roles", "main", map[string]string{"career/copy.yaml": roleFile}, "copy the role"); err != nil {
		t.Fatal(err)
	}
	res, err = f.w.Write(context.Background(), f.cfg, []Proposal{proposal("uid-2", setK8sSenior("W", "V"))})
	if err != nil || !errors.Is(res[0].Err, manifestedit.ErrAmbiguous) {
		t.Fatalf("twice: %v %+v", err, res)
	}
	if log := f.log(t); len(log) != 2 || slices.ContainsFunc(log, func(c string) bool { return strings.Contains(c, "Proposal-UID") }) {
		t.Errorf("log %q: nothing should be committed", log)
	}
}

func TestWriteGivesUpAfterBoundedRetries(t *testing.T) {
	f := newFixture(t)
	f.w.opts.MaxAttempts = 3
	n := 0
	f.w.beforePush = func() {
		n++
		if err := f.srv.Commit("roles", "main", map[string]string{"career/other.txt": fmt.Sprint(n)}, "busy"); err != nil {
			t.Error(err)
		}
	}
	_, err := f.w.Write(context.Background(), f.cfg, []Proposal{proposal("uid-1", setK8sSenior("W", "V"))})
	if !errors.Is(err, ErrNonFastForward) || n != 3 {
		t.Fatalf("got %v after %d attempts, want ErrNonFastForward after 3", err, n)
	}
	if log := f.log(t); len(log) != 4 || strings.Contains(strings.Join(log, "\n"), "Proposal-UID") {
		t.Errorf("log %q: only the human commits", log)
	}
}

// BenchmarkWrite is one commit and push against the loopback server, with a
// warm cache (an incremental fetch per write).
func BenchmarkWrite(b *testing.B) {
	srv := gitserver.Start(b)
	if err := srv.CreateRepo("roles", "main", map[string]string{rolePath: roleFile}); err != nil {
		b.Fatal(err)
	}
	w := NewWriter(b.TempDir(), Options{})
	cfg := Config{URL: srv.URL("roles"), Branch: "main", Credentials: Credentials{Username: gitserver.User, Password: gitserver.InitialPassword}}
	profs := []v1alpha1.ProficiencyID{"V", "W"}
	for i := 0; b.Loop(); i++ {
		p := proposal(fmt.Sprint("uid-", i), setK8sSenior(profs[(i+1)%2], profs[i%2]))
		if res, err := w.Write(context.Background(), cfg, []Proposal{p}); err != nil || res[0].Err != nil {
			b.Fatal(err, res)
		}
	}
}
