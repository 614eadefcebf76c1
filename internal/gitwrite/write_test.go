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
	// records are what Write asked to record, in order.
	records []Record
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

// write commits p with no prior record, recording into f.records.
func (f *fixture) write(t *testing.T, cfg Config, p Proposal) Result {
	t.Helper()
	res, err := f.w.Write(context.Background(), cfg, p, nil, f.record)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (f *fixture) record(r Record) error {
	f.records = append(f.records, r)
	return nil
}

func TestWriteCommitsAndPushesWithTrailers(t *testing.T) {
	f := newFixture(t)
	start := time.Now()
	res := f.write(t, f.cfg, proposal("uid-1", setK8sSenior("W", "V")))
	t.Logf("first write (clone + commit + push): %v", time.Since(start))
	if res.Err != nil || res.Record.Path != rolePath || res.Existing {
		t.Fatalf("result %+v", res)
	}
	if len(f.records) != 1 || f.records[0] != res.Record {
		t.Fatalf("recorded %+v, want the pushed record once", f.records)
	}
	log := f.log(t)
	if len(log) != 2 || !strings.HasPrefix(log[0], res.Record.SHA+" ") {
		t.Fatalf("log %q, want our commit %s on the seed", log, res.Record.SHA)
	}
	wantMsg := "Kubernetes matters more\n\n- SetProficiency kubernetes@senior: W -> V\n\n" +
		"Proposal: career/p-uid-1\nProposal-UID: uid-1\nProposed-by: alice\nApproved-by: bob\nApproved-by: carol\nReviewed-by: dave"
	if got := strings.TrimPrefix(log[0], res.Record.SHA+" "); got != wantMsg {
		t.Errorf("message:\n%s\nwant:\n%s", got, wantMsg)
	}
	want := strings.Replace(roleFile, "{level: senior, proficiency: W}  # promoted", "{level: senior, proficiency: V}  # promoted", 1)
	if got := f.show(t, "main:"+rolePath); got != want {
		t.Errorf("file:\n%s", got)
	}
	if author := f.show(t, "--no-patch", "--format=%an <%ae> %aI", res.Record.SHA); !strings.Contains(author, "Skill Matrix <bot@example.com> 2026-12-01T10:00:00+00:00") {
		t.Errorf("author %q", author)
	}
	rec := res.Record
	if rec.Parent != strings.Fields(log[1])[0] || rec.Tree != strings.TrimSpace(f.show(t, "--no-patch", "--format=%T", rec.SHA)) ||
		rec.Blob == "" || rec.Signature != "" || rec.Branch != "main" || rec.When != time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) {
		t.Errorf("record %+v", rec)
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
	res := f.write(t, f.cfg, proposal("uid-1", setK8sSenior("W", "V")))
	if res.Err != nil {
		t.Fatal(res)
	}
	log := f.log(t)
	if len(log) != 3 || !strings.HasPrefix(log[0], res.Record.SHA) || !strings.Contains(log[1], "python: junior reads V") {
		t.Fatalf("log %q: want seed, the human commit, ours on top", log)
	}
	got := f.show(t, "main:"+rolePath)
	if !strings.Contains(got, "{level: senior, proficiency: V}  # promoted") || !strings.Contains(got, "{level: junior, proficiency: V}") {
		t.Errorf("file lost one of the two edits:\n%s", got)
	}
	if pushes != 2 || len(f.records) != 2 || f.records[1] != res.Record || f.records[0].SHA == res.Record.SHA {
		t.Errorf("%d pushes, records %+v: want the stale record replaced before the second push", pushes, f.records)
	}
}

func TestWriteConflictsWithAGitEditOfTheCell(t *testing.T) {
	f := newFixture(t)
	human := strings.Replace(roleFile, "{level: senior, proficiency: W}", "{level: senior, proficiency: E}", 1)
	if err := f.srv.Commit("roles", "main", map[string]string{rolePath: human}, "kubernetes: senior E"); err != nil {
		t.Fatal(err)
	}
	res := f.write(t, f.cfg, proposal("uid-1", setK8sSenior("W", "V")))
	ce, ok := errors.AsType[*manifestedit.ConflictError](res.Err)
	if !ok || len(ce.Conflicts) != 1 || ce.Conflicts[0].Actual != "E" || res.Record.SHA != "" || len(f.records) != 0 {
		t.Fatalf("result %+v, want a conflict on the cell and nothing recorded", res)
	}
	if log := f.log(t); len(log) != 2 {
		t.Errorf("log %q: nothing should be committed", log)
	}
}

// A crash between the record and the push, then one between the push and
// the next status write: exactly one commit, the recorded one, and a new
// process (empty cache) rebuilds it byte for byte from the record.
func TestWriteIsExactlyOnceAcrossCrashes(t *testing.T) {
	f := newFixture(t)
	p := proposal("uid-1", setK8sSenior("W", "V"))
	var recorded Record
	crash := errors.New("crash after the record")
	_, err := f.w.Write(context.Background(), f.cfg, p, nil, func(r Record) error { recorded = r; return crash })
	if !errors.Is(err, crash) || recorded.SHA == "" {
		t.Fatalf("got %v, record %+v", err, recorded)
	}
	if log := f.log(t); len(log) != 1 {
		t.Fatalf("pushed before the record was written: %q", log)
	}
	later := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	restarted := NewWriter(t.TempDir(), Options{Now: func() time.Time { return later }})
	res, err := restarted.Write(context.Background(), f.cfg, p, &recorded, f.record)
	if err != nil || res.Err != nil || res.Existing || res.Record != recorded || len(f.records) != 0 {
		t.Fatalf("push of the recorded commit: %v %+v, records %+v", err, res, f.records)
	}
	if log := f.log(t); len(log) != 2 || !strings.HasPrefix(log[0], recorded.SHA+" ") {
		t.Fatalf("log %q, want the recorded commit %s", log, recorded.SHA)
	}
	again, err := NewWriter(t.TempDir(), Options{}).Write(context.Background(), f.cfg, p, &recorded, f.record)
	if err != nil || !again.Existing || again.Record.SHA != recorded.SHA || len(f.records) != 0 {
		t.Fatalf("after the push: %v %+v", err, again)
	}
	if log := f.log(t); len(log) != 2 {
		t.Errorf("log %q: want one commit", log)
	}
}

// A record that does not rebuild to its SHA (tampered, or the edit changed)
// and is not on the branch is replaced, never pushed as something else.
func TestWriteReplacesARecordThatDoesNotRebuild(t *testing.T) {
	f := newFixture(t)
	p := proposal("uid-1", setK8sSenior("W", "V"))
	var recorded Record
	_, _ = f.w.Write(context.Background(), f.cfg, p, nil, func(r Record) error { recorded = r; return errors.New("crash") })
	recorded.Message += "tampered\n"
	res, err := NewWriter(t.TempDir(), Options{}).Write(context.Background(), f.cfg, p, &recorded, f.record)
	if err != nil || res.Err != nil || len(f.records) != 1 || res.Record.SHA == recorded.SHA {
		t.Fatalf("%v %+v, records %+v", err, res, f.records)
	}
	if log := f.log(t); len(log) != 2 || !strings.HasPrefix(log[0], res.Record.SHA) {
		t.Errorf("log %q", log)
	}
}

// Attack 2: a commit that only edits README.md and ends with the open
// Proposal's Proposal-UID trailer is not taken for its commit.
func TestWriteIgnoresAForgedTrailer(t *testing.T) {
	f := newFixture(t)
	forged := "docs: typo\n\nProposal: career/p-uid-1\nProposal-UID: uid-1\n"
	if err := f.srv.Commit("roles", "main", map[string]string{"README.md": "# roles!\n"}, forged); err != nil {
		t.Fatal(err)
	}
	res := f.write(t, f.cfg, proposal("uid-1", setK8sSenior("W", "V")))
	if res.Err != nil || res.Existing {
		t.Fatalf("result %+v: the forged commit was adopted", res)
	}
	if got := f.show(t, "main:"+rolePath); !strings.Contains(got, "{level: senior, proficiency: V}  # promoted") {
		t.Errorf("the accepted change is not in Git:\n%s", got)
	}
	if log := f.log(t); len(log) != 3 || !strings.HasPrefix(log[0], res.Record.SHA) {
		t.Errorf("log %q", log)
	}
}

func TestWriteRepositoryFailures(t *testing.T) {
	f := newFixture(t)
	p := proposal("uid-1", setK8sSenior("W", "V"))
	write := func(ctx context.Context, cfg Config) error {
		res, err := f.w.Write(ctx, cfg, p, nil, f.record)
		if err == nil && res.Err != nil {
			return res.Err
		}
		return err
	}
	f.srv.SetPassword("rotated")
	if err := write(context.Background(), f.cfg); !errors.Is(err, ErrAuthentication) {
		t.Fatalf("wrong password: got %v", err)
	}
	f.srv.SetPassword(gitserver.InitialPassword)
	f.srv.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := write(ctx, f.cfg); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("server down: got %v", err)
	}
	if err := f.srv.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := write(ctx, f.cfg); err != nil {
		t.Fatalf("after the restart: %v", err)
	}
	other := f.cfg
	other.URL = f.srv.URL("missing")
	if err := write(ctx, other); !errors.Is(err, ErrRepositoryNotFound) {
		t.Errorf("missing repository: got %v", err)
	}
	other = f.cfg
	other.Branch = "release"
	if err := write(ctx, other); !errors.Is(err, ErrBranchNotFound) {
		t.Errorf("missing branch: got %v", err)
	}
}

func TestWriteManifestMissingOrTwice(t *testing.T) {
	f := newFixture(t)
	missing := proposal("uid-1", setK8sSenior("W", "V"))
	missing.Role = "data-engineer"
	if res := f.write(t, f.cfg, missing); !errors.Is(res.Err, manifestedit.ErrNotFound) {
		t.Fatalf("missing: %+v", res)
	}
	if err := f.srv.Commit("roles", "main", map[string]string{"career/copy.yaml": roleFile}, "copy the role"); err != nil {
		t.Fatal(err)
	}
	if res := f.write(t, f.cfg, proposal("uid-2", setK8sSenior("W", "V"))); !errors.Is(res.Err, manifestedit.ErrAmbiguous) {
		t.Fatalf("twice: %+v", res)
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
	_, err := f.w.Write(context.Background(), f.cfg, proposal("uid-1", setK8sSenior("W", "V")), nil, f.record)
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
	cfg := Config{URL: srv.URL("roles"), Branch: "main", Path: "career",
		Credentials: Credentials{Username: gitserver.User, Password: gitserver.InitialPassword}}
	profs := []v1alpha1.ProficiencyID{"V", "W"}
	for i := 0; b.Loop(); i++ {
		p := proposal(fmt.Sprint("uid-", i), setK8sSenior(profs[(i+1)%2], profs[i%2]))
		if res, err := w.Write(context.Background(), cfg, p, nil, func(Record) error { return nil }); err != nil || res.Err != nil {
			b.Fatal(err, res)
		}
	}
}
