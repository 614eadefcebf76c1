package gitwrite

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/revert"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/gitserver"
)

// TestHistoryTrustsOnlyTheOperatorsCommits: a rebuilt history reads the
// commits that changed the Role and name Proposals; the operator's signed
// commit is trusted, a forged trailer block is not, a recorded SHA is,
// and a commit of another Role or without trailers is not listed at all.
func TestHistoryTrustsOnlyTheOperatorsCommits(t *testing.T) {
	key, _ := sshSigningKey(t, "")
	signing, err := SigningFromSecret(SigningSSH, map[string][]byte{"signingKey": key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	f.cfg.Signing = signing
	signed := f.write(t, f.cfg, proposal("uid-signed", setK8sSenior("W", "V")))
	unsignedCfg := f.cfg
	unsignedCfg.Signing = nil
	recorded := f.write(t, unsignedCfg, proposal("uid-recorded", v1Change("python", "junior", "W", "V")))
	content := f.show(t, "main:"+rolePath)
	forgedContent := strings.Replace(content, "{level: junior, proficiency: A}", "{level: junior, proficiency: E}", 1)
	if err := f.srv.Commit("roles", "main", map[string]string{rolePath: forgedContent},
		"Juniors are experts\n\nProposal: career/forged\nProposal-UID: uid-forged\nProposed-by: mallory"); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Commit("roles", "main", map[string]string{"README.md": "# roles, again\n"},
		"readme\n\nProposal: career/other\nProposal-UID: uid-readme"); err != nil {
		t.Fatal(err)
	}

	commits, err := f.w.History(context.Background(), f.cfg, HistoryQuery{Namespace: "career", Role: "mlops-engineer",
		Known: []string{recorded.Record.SHA}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]HistoryCommit{}
	for _, c := range commits {
		got[c.Proposals[0].UID] = c
	}
	if len(commits) != 3 {
		t.Fatalf("History = %+v, want the signed, the recorded and the forged commit", commits)
	}
	if c := got["uid-signed"]; !c.Trusted || c.SHA != signed.Record.SHA || c.ProposedBy != "alice" ||
		c.Subject != "Kubernetes matters more" || c.Path != rolePath || c.Proposals[0].Name != "career/p-uid-signed" {
		t.Errorf("signed commit: %+v", c)
	}
	if cells := revert.Cells(got["uid-signed"].Changes); len(cells) != 1 || cells[0].Skill != "kubernetes" || cells[0].Proficiency != "V" {
		t.Errorf("signed commit's cells: %+v", cells)
	}
	if c := got["uid-recorded"]; !c.Trusted {
		t.Errorf("a recorded SHA is not trusted: %+v", c)
	}
	if c := got["uid-forged"]; c.Trusted {
		t.Errorf("a forged trailer block is trusted: %+v", c)
	}
	if commits[0].Proposals[0].UID != "uid-signed" || commits[2].Proposals[0].UID != "uid-forged" {
		t.Errorf("not oldest first: %+v", commits)
	}
}

func TestCheck(t *testing.T) {
	f := newFixture(t)
	res, err := f.w.Check(context.Background(), f.cfg)
	if err != nil || res.Head != strings.Fields(f.log(t)[0])[0] {
		t.Fatalf("Check = %+v, %v", res, err)
	}
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   error
	}{
		{"a wrong password", func(c *Config) { c.Credentials.Password = "wrong" }, ErrAuthentication},
		{"a branch that does not exist", func(c *Config) { c.Branch = "release" }, ErrBranchNotFound},
		{"a repository that does not exist", func(c *Config) { c.URL = f.srv.URL("nothing") }, ErrRepositoryNotFound},
		{"credentials in the URL", func(c *Config) { c.URL = strings.Replace(c.URL, "http://", "http://u:p@", 1) }, ErrConfig},
		{"a template that does not parse", func(c *Config) { c.MessageTemplate = "{{" }, ErrConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := f.cfg
			tc.change(&cfg)
			if _, err := f.w.Check(context.Background(), cfg); !errors.Is(err, tc.want) {
				t.Errorf("Check = %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("the server down", func(t *testing.T) {
		srv := gitserver.Start(t)
		cfg := f.cfg
		cfg.URL = srv.URL("roles")
		srv.Stop()
		if _, err := f.w.Check(context.Background(), cfg); !errors.Is(err, ErrUnreachable) {
			t.Errorf("Check = %v, want ErrUnreachable", err)
		}
	})
}

func v1Change(skill, level v1alpha1.ID, from, to v1alpha1.ProficiencyID) v1alpha1.Change {
	return v1alpha1.Change{Op: v1alpha1.OpSetProficiency, Skill: skill, Level: level, Proficiency: to,
		From: &v1alpha1.ChangeValue{Proficiency: from}}
}
