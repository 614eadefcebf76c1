package gitwrite

import (
	"fmt"
	"net/url"
	"strings"
	"text/template"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// Config is one write-back target: where the Roles' manifests live and how
// commits are made.
type Config struct {
	// URL is the repository's HTTPS URL.
	URL string
	// Branch is the branch Argo CD or Flux syncs; commits are pushed to it
	// unless PushBranch names another.
	Branch string
	// PushBranch, when set, is the branch the commits are pushed to instead
	// (Branch mode: one branch per Proposal, for a merge request): they are
	// made on Branch's head and PushBranch is created from them, never
	// forced.
	PushBranch string
	// Path is the directory scanned for the Role's manifest ("" or "." for
	// the whole repository).
	Path string
	// Credentials come from the Secret the configuration names.
	Credentials Credentials
	// Author signs the commits (author and committer).
	Author Identity
	// MessageTemplate is a text/template for the subject and body, executed
	// with a MessageData; "" is DefaultMessageTemplate. Trailers are
	// appended after it, always.
	MessageTemplate string
}

// Identity is a commit author.
type Identity struct{ Name, Email string }

// DefaultAuthor signs commits when the configuration names no author.
var DefaultAuthor = Identity{Name: "skillmatrix-operator", Email: "skillmatrix-operator@users.noreply.skillmatrix.dev"}

// DefaultMessageTemplate is the Proposal's title and a list of its changes.
const DefaultMessageTemplate = "{{.Title}}\n\n{{range .Changes}}- {{.}}\n{{end}}"

// Credentials are HTTPS credentials in the layout of a Flux GitRepository
// Secret: `username` and `password` (a token). SSH (`identity`,
// `known_hosts`) is the next step (issue 15): it becomes a second AuthMethod
// branch here, chosen by the URL's scheme.
type Credentials struct {
	Username, Password string
}

// CredentialsFromSecret reads a Secret's data in Flux's layout.
func CredentialsFromSecret(data map[string][]byte) (Credentials, error) {
	if _, ssh := data["identity"]; ssh {
		return Credentials{}, &Error{Op: "read credentials", Kind: ErrConfig, Err: fmt.Errorf("SSH credentials (identity) are not supported yet; use username and password over HTTPS")}
	}
	c := Credentials{Username: string(data["username"]), Password: string(data["password"])}
	if c.Password == "" {
		return Credentials{}, &Error{Op: "read credentials", Kind: ErrConfig, Err: fmt.Errorf("the Secret has no password")}
	}
	if c.Username == "" {
		// Forges that take a token accept any user name; Flux does the same.
		c.Username = "git"
	}
	return c, nil
}

// auth checks the URL and the branch and returns the transport's AuthMethod:
// basic auth over HTTP(S), or none without a password.
func (c Config) auth() (transport.AuthMethod, error) {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, &Error{Op: "check URL", Kind: ErrConfig, Err: fmt.Errorf("%q is not an HTTPS repository URL (SSH comes later)", c.URL)}
	}
	if c.Branch == "" || strings.ContainsAny(c.Branch, " ~^:?*[\\") || strings.Contains(c.Branch, "..") {
		return nil, &Error{Op: "check branch", Kind: ErrConfig, Err: fmt.Errorf("%q is not a branch name", c.Branch)}
	}
	if u.User != nil {
		return nil, &Error{Op: "check URL", Kind: ErrConfig, Err: fmt.Errorf("the URL must not carry credentials; put them in the Secret")}
	}
	if c.Credentials.Password == "" {
		return nil, nil
	}
	return &githttp.BasicAuth{Username: c.Credentials.Username, Password: c.Credentials.Password}, nil
}

// Proposal is what one commit carries: the Proposal's identity for the
// trailers, its changes, and who decided it.
type Proposal struct {
	Namespace, Name, UID string
	Title, Description   string
	Author               string
	// Role is the name of the Role (in Namespace) whose manifest changes.
	Role    string
	Changes []v1alpha1.Change
	// ApprovedBy are the counted approving voters, ReviewedBy the counted
	// approving experts, in the order the trailers list them.
	ApprovedBy, ReviewedBy []string
}

// MessageData is what the message template sees.
type MessageData struct {
	Namespace, Name, UID, Title, Description, Author, Role string
	// Changes has one line per change, e.g. "SetProficiency go@senior: A -> V".
	Changes []string
	// File is the manifest's path in the repository.
	File string
}

func (c Config) template() (*template.Template, error) {
	text := c.MessageTemplate
	if strings.TrimSpace(text) == "" {
		text = DefaultMessageTemplate
	}
	t, err := template.New("commit").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, &Error{Op: "parse message template", Kind: ErrConfig, Err: err}
	}
	return t, nil
}
