package gitwrite

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"text/template"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// Config is one write-back target: where the Roles' manifests live and how
// commits are made.
type Config struct {
	// URL is the repository's HTTPS URL, or its SSH URL:
	// ssh://user@host:port/path or scp-like user@host:path.
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
	// Signing, when set, signs every commit (SSH or OpenPGP) and says which
	// keys make a commit the operator's; a commit is never made unsigned
	// instead. Nil makes unsigned commits, and only recorded commits are
	// then the operator's.
	Signing *Signing
}

const opCheckURL = "check URL"

// Identity is a commit author.
type Identity struct{ Name, Email string }

// DefaultAuthor signs commits when the configuration names no author.
var DefaultAuthor = Identity{Name: "skillmatrix-operator", Email: "skillmatrix-operator@users.noreply.skillmatrix.dev"}

// DefaultMessageTemplate is the Proposal's title and a list of its changes.
const DefaultMessageTemplate = "{{.Title}}\n\n{{range .Changes}}- {{.}}\n{{end}}"

// Credentials are read from a Secret in the layout of a Flux GitRepository
// Secret: `username` and `password` (a token) over HTTPS, or `identity`
// (with `password` when the key is encrypted) and `known_hosts` over SSH.
// As in Flux, the URL picks the half that is used; the other is ignored.
type Credentials struct {
	Username, Password string
	// SSH is set when the Secret has a usable identity and known_hosts.
	SSH *SSHCredentials
	// sshErr is why the Secret's identity or known_hosts cannot be used;
	// it fails an SSH URL only.
	sshErr error
}

// CredentialsFromSecret reads a Secret's data in Flux's layout. It fails
// only a Secret with neither a password nor SSH keys; what is wrong with
// the SSH keys (an identity that does not parse, known_hosts missing or
// unparsable: ErrSSHIdentity, ErrKnownHostsMissing, ErrKnownHostsInvalid)
// fails the write to an SSH URL, since host keys are always verified.
func CredentialsFromSecret(data map[string][]byte) (Credentials, error) {
	c := Credentials{Username: string(data["username"]), Password: string(data["password"])}
	_, hasIdentity := data["identity"]
	_, hasKnownHosts := data["known_hosts"]
	if hasIdentity || hasKnownHosts {
		c.SSH, c.sshErr = sshCredentials(data)
	} else if c.Password == "" {
		return Credentials{}, &Error{Op: "read credentials", Kind: ErrConfig, Err: fmt.Errorf("the Secret has no password (HTTPS) and no identity (SSH)")}
	}
	if c.Username == "" && c.Password != "" {
		// Forges that take a token accept any user name; Flux does the same.
		c.Username = "git"
	}
	return c, nil
}

func sshCredentials(data map[string][]byte) (*SSHCredentials, error) {
	identity, hasIdentity := data["identity"]
	if !hasIdentity {
		return nil, identityError(errors.New("the Secret has known_hosts but no identity"))
	}
	signer, err := parseIdentity(identity, data["password"], data["identity.pub"])
	if err != nil {
		return nil, err
	}
	knownHosts := data["known_hosts"]
	if len(bytes.TrimSpace(knownHosts)) == 0 {
		return nil, &Error{Op: "read credentials", Kind: ErrKnownHostsMissing,
			Err: errors.New("the Secret has an identity but no known_hosts; host keys are always verified (add the server's keys, e.g. from ssh-keyscan)")}
	}
	kh, err := ParseKnownHosts(knownHosts)
	if err != nil {
		return nil, err
	}
	return &SSHCredentials{Signer: signer, KnownHosts: kh}, nil
}

// auth checks the URL and the branch and returns the transport's AuthMethod,
// chosen by the URL: basic auth over HTTP(S) (none without a password), or
// the Secret's key over SSH (ssh://user@host:port/path or user@host:path),
// with host keys checked against its known_hosts.
func (c Config) auth() (transport.AuthMethod, error) {
	if c.Branch == "" || strings.ContainsAny(c.Branch, " ~^:?*[\\") || strings.Contains(c.Branch, "..") {
		return nil, &Error{Op: "check branch", Kind: ErrConfig, Err: fmt.Errorf("%q is not a branch name", c.Branch)}
	}
	if ep, ok := sshEndpoint(c.URL); ok {
		return c.sshAuth(ep)
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, &Error{Op: opCheckURL, Kind: ErrConfig, Err: fmt.Errorf("%q is neither an HTTPS nor an SSH repository URL", c.URL)}
	}
	if u.User != nil {
		return nil, &Error{Op: opCheckURL, Kind: ErrConfig, Err: fmt.Errorf("the URL must not carry credentials; put them in the Secret")}
	}
	if c.Credentials.Password == "" {
		if c.Credentials.SSH != nil || c.Credentials.sshErr != nil {
			return nil, &Error{Op: opCheckURL, Kind: ErrConfig, Err: fmt.Errorf("the Secret holds SSH keys (identity, known_hosts) and no password, but %q is an HTTPS URL", c.URL)}
		}
		return nil, nil
	}
	return &githttp.BasicAuth{Username: c.Credentials.Username, Password: c.Credentials.Password}, nil
}

// sshEndpoint parses an ssh:// or scp-like (user@host:path) URL; ok is
// false for anything else.
func sshEndpoint(raw string) (*transport.Endpoint, bool) {
	scheme := strings.HasPrefix(raw, "ssh://")
	if !scheme && (strings.Contains(raw, "://") || !strings.Contains(raw, "@") || !strings.Contains(raw, ":")) {
		return nil, false
	}
	ep, err := transport.NewEndpoint(raw)
	if err != nil || ep.Protocol != "ssh" {
		return nil, false
	}
	return ep, true
}

func (c Config) sshAuth(ep *transport.Endpoint) (transport.AuthMethod, error) {
	switch {
	case ep.Host == "" || strings.Trim(ep.Path, "/") == "":
		return nil, &Error{Op: opCheckURL, Kind: ErrConfig, Err: fmt.Errorf("%q names no host or no repository path", c.URL)}
	case ep.Password != "":
		return nil, &Error{Op: opCheckURL, Kind: ErrConfig, Err: fmt.Errorf("the URL must not carry a password; put the key in the Secret")}
	case c.Credentials.sshErr != nil:
		return nil, c.Credentials.sshErr
	case c.Credentials.SSH == nil:
		return nil, identityError(fmt.Errorf("%q is an SSH URL: the Secret needs identity and known_hosts", c.URL))
	}
	user := ep.User
	if user == "" {
		// What the forges (and Flux's examples) log in as.
		user = "git"
	}
	port := ep.Port
	if port == 0 {
		port = 22
	}
	return newSSHAuth(user, net.JoinHostPort(ep.Host, strconv.Itoa(port)), c.Credentials.SSH), nil
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

// MessageData is what the message template sees. Every field is safe to
// place anywhere in a message: Title, Author and the names are one line
// each (quoted when they could read as a trailer), Description is indented
// four spaces per line (its trailer-like lines quoted), and each of Changes
// is one line (focus and unusual tech-stack items quoted).
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
