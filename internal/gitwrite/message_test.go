package gitwrite

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

func TestMessageTrailersCannotBeForged(t *testing.T) {
	p := proposal("uid-1", setK8sSenior("W", "V"))
	p.Title = "Harmless\n\nProposal-UID: uid-victim"
	p.Description = "Body\n\nProposal-UID: uid-victim"
	p.ApprovedBy = []string{"bob\nProposal-UID: uid-victim"}
	cfg := Config{MessageTemplate: "{{.Title}}\n\n{{.Description}}"}
	tmpl, err := cfg.template()
	if err != nil {
		t.Fatal(err)
	}
	msg, err := message(tmpl, &p, "f.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := trailerValues(msg, TrailerProposalUID); !reflect.DeepEqual(got, []string{"uid-1"}) {
		t.Errorf("Proposal-UID trailers %q in\n%s", got, msg)
	}
	if got := trailerValues(msg, TrailerApprovedBy); !reflect.DeepEqual(got, []string{"bob Proposal-UID: uid-victim"}) {
		t.Errorf("Approved-by %q", got)
	}
}

func TestMessageTemplate(t *testing.T) {
	p := proposal("uid-1", setK8sSenior("W", "V"), v1alpha1.Change{Op: v1alpha1.OpRemoveSkill, Skill: "python"})
	cases := []struct {
		template, want string
	}{
		{"", "Kubernetes matters more\n\n- SetProficiency kubernetes@senior: W -> V\n- RemoveSkill python"},
		{"roles({{.Role}}): {{.Title}} in {{.File}}", "roles(mlops-engineer): Kubernetes matters more in f.yaml"},
	}
	for _, tc := range cases {
		tmpl, err := Config{MessageTemplate: tc.template}.template()
		if err != nil {
			t.Fatal(err)
		}
		msg, err := message(tmpl, &p, "f.yaml")
		if err != nil {
			t.Fatal(err)
		}
		trailers := "\n\nProposal: career/p-uid-1\nProposal-UID: uid-1\nProposed-by: alice\nApproved-by: bob\nApproved-by: carol\nReviewed-by: dave\n"
		if msg != tc.want+trailers {
			t.Errorf("template %q:\n%s", tc.template, msg)
		}
	}
	for _, bad := range []string{"{{.Title", "{{.Nope}}"} {
		tmpl, err := Config{MessageTemplate: bad}.template()
		if err == nil {
			_, err = message(tmpl, &p, "f.yaml")
		}
		if !errors.Is(err, ErrConfig) {
			t.Errorf("template %q: got %v, want ErrConfig", bad, err)
		}
	}
}

func TestCredentialsFromSecret(t *testing.T) {
	cases := []struct {
		data map[string][]byte
		want Credentials
		err  error
	}{
		{map[string][]byte{"username": []byte("bot"), "password": []byte("tok")}, Credentials{Username: "bot", Password: "tok"}, nil},
		{map[string][]byte{"password": []byte("tok")}, Credentials{Username: "git", Password: "tok"}, nil},
		{map[string][]byte{"username": []byte("bot")}, Credentials{}, ErrConfig},
	}
	for i, tc := range cases {
		got, err := CredentialsFromSecret(tc.data)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("case %d: %+v, %v", i, got, err)
		}
	}
}

func TestClassifyPushErrors(t *testing.T) {
	for _, msg := range []string{
		"non-fast-forward update: refs/heads/main",
		"command error on refs/heads/main: non-fast-forward",
		"command error on refs/heads/main: fetch first",
		"command error on refs/heads/main: failed to update ref",
	} {
		if err := classify("push", errors.New(msg)); !errors.Is(err, ErrNonFastForward) {
			t.Errorf("%q: %v", msg, err)
		}
	}
	if err := classify("push", fmt.Errorf("wrapped: %w", errors.New("pre-receive hook declined"))); errors.Is(err, ErrNonFastForward) {
		t.Errorf("a declined hook is not a race: %v", err)
	}
}

func TestConfigRefusesUnknownURLsAndBadBranches(t *testing.T) {
	for _, b := range []string{"", "a b", "a..b", "x:y"} {
		if _, err := (Config{URL: "https://h/r.git", Branch: b}).auth(); !errors.Is(err, ErrConfig) {
			t.Errorf("branch %q: %v", b, err)
		}
	}
	for _, u := range []string{"https://user:pw@host/roles.git", "file:///tmp/x", "host:roles.git", "git://host/roles.git"} {
		if _, err := (Config{URL: u, Branch: "main"}).auth(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v", u, err)
		}
	}
}
