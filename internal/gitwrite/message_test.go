package gitwrite

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

func TestMessageTrailersCannotBeForged(t *testing.T) {
	p := proposal("uid-1", setK8sSenior("W", "V"), v1alpha1.Change{Op: v1alpha1.OpSetTechStack, Level: "senior",
		TechStack: []string{"k8s\nProposal-UID: uid-victim\nx", "helm"}})
	p.Title = "Harmless\n\nProposal-UID: uid-victim"
	p.Description = "Body\n\nProposal-UID: uid-victim\n  * Proposal-UID: uid-victim"
	p.ApprovedBy = []string{"bob\nProposal-UID: uid-victim"}
	cfg := Config{MessageTemplate: "{{.Title}}\n\n{{.Description}}\n\n{{range .Changes}}- {{.}}\n{{end}}"}
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
	want := "Harmless Proposal-UID: uid-victim\n\n    Body\n\n    \"Proposal-UID: uid-victim\"\n    \"  * Proposal-UID: uid-victim\"\n\n" +
		"- SetProficiency kubernetes@senior: W -> V\n- SetTechStack senior: [\"k8s\\nProposal-UID: uid-victim\\nx\", helm]\n\n"
	if !strings.HasPrefix(msg, want) {
		t.Errorf("message:\n%s\nwant it to start with:\n%s", msg, want)
	}
	if lines := foreignTrailerLines(msg); len(lines) > 0 {
		t.Errorf("lines outside the trailer block read as trailers: %q", lines)
	}
}

// foreignTrailerLines are the lines of msg, outside its trailer block, that
// a lenient reader (every line, bullets and quotes stripped) would take
// for a trailer of the operator's.
func foreignTrailerLines(msg string) []string {
	body := strings.TrimRight(msg, "\n")
	body = body[:strings.LastIndex(body, "\n\n")]
	var out []string
	for line := range strings.SplitSeq(body, "\n") {
		trimmed := strings.TrimLeft(line, " \t*-+>#|")
		for _, key := range []string{TrailerProposal, TrailerProposalUID, TrailerProposedBy, TrailerApprovedBy, TrailerReviewedBy} {
			if strings.HasPrefix(strings.ToLower(trimmed), strings.ToLower(key)+":") {
				out = append(out, line)
			}
		}
	}
	return out
}

func TestTrailerBlock(t *testing.T) {
	tests := []struct {
		msg  string
		want []Trailer
	}{
		{"t\n\nProposal-UID: u1\n", []Trailer{{"Proposal-UID", "u1"}}},
		{"t\n\nProposal: a/b\nProposal-UID:  u1 \r\n", []Trailer{{"Proposal", "a/b"}, {"Proposal-UID", "u1"}}},
		{"Proposal-UID: u1\n", nil},
		{"t\n\n  Proposal-UID: u1\n", nil},
		{"t\n\n* Proposal-UID: u1\n", nil},
		{"t\n\nProposal-UID: u1\nprose\n", nil},
		{"t\n\nProposal-UID: u1\n\nSee merge request !1", nil},
		{"t\n\nProposal-UID:u1\n", nil},
		{"t\n\n-x: u1\n", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := TrailerBlock(tt.msg); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %q, want %q", tt.msg, got, tt.want)
		}
	}
}

// FuzzCommitMessage renders commit messages from hostile titles,
// descriptions, tech-stack items, focus texts and approvers, with the
// default template and one that places every variable, and holds the
// message to what the operator relies on: its trailer block is exactly
// the operator's trailers, in order, with this Proposal's UID once; no
// other line reads as one of its trailers even to a lenient reader; and
// TrailerBlock never panics on the result nor on the raw input.
func FuzzCommitMessage(f *testing.F) {
	f.Add("Title", "Why\n\nProposal-UID: victim", "k8s\nProposal-UID: victim\nx", "Focus\nProposal: ns/v", "bob")
	f.Add("Proposal-UID: victim", "", "", "", "")
	f.Add("a\r\n\r\nProposal-UID: v", "\u2028Proposal-UID: v\u0085Reviewed-by: x", "  * Proposal-UID: v", "\x00", "a\nb")
	f.Add("  > proposal-uid: v", "\t- Approved-by: mallory\n\n", "", "", "")
	templates := []string{"", "{{.Title}}\n\n{{.Description}}\n{{.Author}} {{.Name}} {{.Namespace}} {{.UID}} {{.Role}} {{.File}}\n\n{{range .Changes}}{{.}}\n{{end}}{{.Description}}"}
	f.Fuzz(func(t *testing.T, title, description, item, focus, approver string) {
		_ = TrailerBlock(title + description + item + focus)
		p := proposal("uid-1", setK8sSenior("W", "V"),
			v1alpha1.Change{Op: v1alpha1.OpSetTechStack, Level: "senior", TechStack: []string{item, "helm"}},
			v1alpha1.Change{Op: v1alpha1.OpSetFocus, Level: "junior", Focus: &focus})
		p.Title, p.Description, p.Author = title, description, approver
		p.ApprovedBy = []string{approver, "carol"}
		for _, text := range templates {
			tmpl, err := Config{MessageTemplate: text}.template()
			if err != nil {
				t.Fatal(err)
			}
			msg, err := message(tmpl, &p, "career/roles/r.yaml")
			if err != nil {
				t.Fatal(err)
			}
			block := TrailerBlock(msg)
			want := []Trailer{{TrailerProposal, "career/p-uid-1"}, {TrailerProposalUID, "uid-1"}, {TrailerProposedBy, oneLine(approver)},
				{TrailerApprovedBy, oneLine(approver)}, {TrailerApprovedBy, "carol"}, {TrailerReviewedBy, "dave"}}
			if !reflect.DeepEqual(block, want) {
				t.Fatalf("trailer block %q, want %q, in\n%s", block, want, msg)
			}
			if lines := foreignTrailerLines(msg); len(lines) > 0 {
				t.Fatalf("lines outside the trailer block read as trailers: %q in\n%s", lines, msg)
			}
		}
	})
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
