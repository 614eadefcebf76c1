package gitwrite

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // OpenSSH's hashed known_hosts names are HMAC-SHA1; matching them needs it.
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"time"

	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// SSHCredentials are the SSH half of a Flux GitRepository Secret:
// `identity` (the private key, decrypted with `password` when it is
// encrypted) and `known_hosts`, the only host keys a push may trust.
type SSHCredentials struct {
	Signer     ssh.Signer
	KnownHosts *KnownHosts
}

// sshDialTimeout bounds the TCP connect and the SSH handshake: go-git's SSH
// transport dials without the write's context.
const sshDialTimeout = 30 * time.Second

const opReadKnownHosts = "read known_hosts"

// parseIdentity reads the private key of the Secret's `identity`;
// publicKey is `identity.pub`, checked against it when present.
func parseIdentity(identity, password, publicKey []byte) (ssh.Signer, error) {
	signer, err := ssh.ParsePrivateKey(identity)
	if _, encrypted := errors.AsType[*ssh.PassphraseMissingError](err); encrypted {
		if len(password) == 0 {
			return nil, identityError(errors.New("the key is encrypted and the Secret has no password"))
		}
		signer, err = ssh.ParsePrivateKeyWithPassphrase(identity, password)
	}
	if err != nil {
		return nil, identityError(fmt.Errorf("not a private key in PEM or OpenSSH format, or the password is wrong: %w", err))
	}
	// OpenSSH stopped accepting DSA keys in 7.0 and the forges followed;
	// say so here rather than as an authentication failure at the server.
	if t := signer.PublicKey().Type(); t == ssh.KeyAlgoDSA { //nolint:staticcheck // naming the deprecated type is the point
		return nil, identityError(fmt.Errorf("%s keys are not accepted by Git servers; use an ed25519, ECDSA or RSA key", t))
	}
	if len(bytes.TrimSpace(publicKey)) > 0 {
		pub, _, _, _, err := ssh.ParseAuthorizedKey(publicKey)
		if err != nil {
			return nil, identityError(fmt.Errorf("identity.pub is not a public key: %w", err))
		}
		if !bytes.Equal(pub.Marshal(), signer.PublicKey().Marshal()) {
			return nil, identityError(errors.New("identity.pub is not the public half of identity"))
		}
	}
	return signer, nil
}

func identityError(err error) error {
	return &Error{Op: "read identity", Kind: ErrSSHIdentity, Err: err}
}

// KnownHosts is a parsed known_hosts file: plain, hashed (|1|salt|hash) and
// wildcard host patterns with negation, [host]:port entries, @revoked keys
// and @cert-authority keys, as OpenSSH reads them.
type KnownHosts struct {
	lines []knownHostsLine
}

type knownHostsLine struct {
	marker   string // "", "cert-authority" or "revoked"
	patterns []string
	key      ssh.PublicKey
}

// ParseKnownHosts reads the Secret's `known_hosts`; it must list at least
// one key.
func ParseKnownHosts(data []byte) (*KnownHosts, error) {
	kh := &KnownHosts{}
	rest := data
	for len(bytes.TrimSpace(rest)) > 0 {
		marker, hosts, key, _, next, err := ssh.ParseKnownHosts(rest)
		if errors.Is(err, io.EOF) {
			break // only comments were left
		}
		if err != nil {
			return nil, &Error{Op: opReadKnownHosts, Kind: ErrKnownHostsInvalid, Err: err}
		}
		rest = next
		for _, p := range hosts {
			if strings.HasPrefix(p, "|") && strings.Count(p, "|") != 3 {
				return nil, &Error{Op: opReadKnownHosts, Kind: ErrKnownHostsInvalid, Err: fmt.Errorf("%q is not a hashed host name (|1|salt|hash)", p)}
			}
		}
		kh.lines = append(kh.lines, knownHostsLine{marker: marker, patterns: hosts, key: key})
	}
	if len(kh.lines) == 0 {
		return nil, &Error{Op: opReadKnownHosts, Kind: ErrKnownHostsMissing, Err: errors.New("known_hosts lists no host key")}
	}
	return kh, nil
}

// HostKeyError is a host key refused: the server at Host offered Offered
// (type and SHA256 fingerprint), which known_hosts does not list for it.
// Known are the fingerprints it lists for the host; none means the host is
// not in known_hosts at all. Revoked says known_hosts marks the key @revoked.
type HostKeyError struct {
	Host    string
	Offered string
	Known   []string
	Revoked bool
}

func (e *HostKeyError) Error() string {
	switch {
	case e.Revoked:
		return fmt.Sprintf("the host key %s of %s is marked @revoked in known_hosts", e.Offered, e.Host)
	case len(e.Known) == 0:
		return fmt.Sprintf("%s is not in known_hosts (it offered %s); add its key to the Secret's known_hosts", e.Host, e.Offered)
	}
	return fmt.Sprintf("the host key of %s does not match known_hosts: it offered %s, known_hosts lists %s; nothing was sent",
		e.Host, e.Offered, strings.Join(e.Known, ", "))
}

// kind is the sentinel the Error carrying it gets.
func (e *HostKeyError) kind() error {
	if len(e.Known) == 0 && !e.Revoked {
		return ErrHostKeyUnknown
	}
	return ErrHostKeyMismatch
}

func describeKey(k ssh.PublicKey) string { return k.Type() + " " + ssh.FingerprintSHA256(k) }

// matching are the lines whose patterns select host, a known_hosts name
// ("host" for port 22, else "[host]:port").
func (kh *KnownHosts) matching(host string) []knownHostsLine {
	var out []knownHostsLine
	for _, l := range kh.lines {
		if patternsMatch(l.patterns, host) {
			out = append(out, l)
		}
	}
	return out
}

// patternsMatch is OpenSSH's rule: some pattern matches and no negated one.
func patternsMatch(patterns []string, host string) bool {
	matched := false
	for _, p := range patterns {
		negated := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		if !patternMatches(p, host) {
			continue
		}
		if negated {
			return false
		}
		matched = true
	}
	return matched
}

func patternMatches(pattern, host string) bool {
	if strings.HasPrefix(pattern, "|1|") {
		parts := strings.Split(pattern[len("|1|"):], "|")
		salt, err1 := base64.StdEncoding.DecodeString(parts[0])
		want, err2 := base64.StdEncoding.DecodeString(parts[len(parts)-1])
		if err1 != nil || err2 != nil {
			return false
		}
		mac := hmac.New(sha1.New, salt)
		mac.Write([]byte(host))
		return hmac.Equal(mac.Sum(nil), want)
	}
	// A bare name means port 22, which is how Normalize writes host too.
	return wildcardMatch(strings.ToLower(knownhosts.Normalize(pattern)), strings.ToLower(host))
}

// wildcardMatch matches OpenSSH's `*` (any run) and `?` (one byte), in
// time linear in both lengths: on a mismatch after a `*`, the `*` takes one
// more byte, and only the last `*` is ever revisited.
func wildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	star, resume := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, resume = p, i
			p++
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case star >= 0:
			resume++
			p, i = star+1, resume
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// hostKeyCallback accepts only a key known_hosts lists for the host (or
// one signed by a @cert-authority listed for it), never a @revoked one.
// There is no fallback: an unknown host is refused like a changed key.
func (kh *KnownHosts) hostKeyCallback() ssh.HostKeyCallback {
	return func(address string, _ net.Addr, key ssh.PublicKey) error {
		host := knownhosts.Normalize(address)
		lines := kh.matching(host)
		offered := key
		if cert, ok := key.(*ssh.Certificate); ok {
			offered = cert.Key
		}
		refusal := &HostKeyError{Host: host, Offered: describeKey(offered)}
		for _, l := range lines {
			if l.marker == "revoked" && (keysEqual(l.key, key) || keysEqual(l.key, offered)) {
				refusal.Revoked = true
				return refusal
			}
		}
		if cert, ok := key.(*ssh.Certificate); ok {
			checker := &ssh.CertChecker{IsHostAuthority: func(auth ssh.PublicKey, _ string) bool {
				return slices.ContainsFunc(lines, func(l knownHostsLine) bool { return l.marker == "cert-authority" && keysEqual(l.key, auth) })
			}}
			if err := checker.CheckHostKey(address, nil, cert); err == nil {
				return nil
			}
		}
		for _, l := range lines {
			if l.marker == "" && keysEqual(l.key, key) {
				return nil
			}
			if l.marker == "" {
				refusal.Known = append(refusal.Known, describeKey(l.key))
			}
		}
		return refusal
	}
}

func keysEqual(a, b ssh.PublicKey) bool { return bytes.Equal(a.Marshal(), b.Marshal()) }

// hostKeyAlgorithms asks the server for a host key of a type known_hosts
// lists for host, so a server with several keys (GitHub has three) shows
// the one the Secret knows. None are asked for (Go's defaults) when the
// host is unlisted or a certificate authority is listed for it.
func (kh *KnownHosts) hostKeyAlgorithms(host string) []string {
	var algos []string
	for _, l := range kh.matching(host) {
		switch l.marker {
		case "cert-authority":
			return nil
		case "revoked":
			continue
		}
		for _, a := range algorithmsFor(l.key.Type()) {
			if !slices.Contains(algos, a) {
				algos = append(algos, a)
			}
		}
	}
	return algos
}

// algorithmsFor: an RSA key signs with SHA-2 (what current servers take)
// or SHA-1; every other key type is its own algorithm.
func algorithmsFor(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

// sshAuth is go-git's public-key auth with the host key check above and a
// dial timeout.
type sshAuth struct {
	*gitssh.PublicKeys
}

func (a sshAuth) ClientConfig() (*ssh.ClientConfig, error) {
	cfg, err := a.PublicKeys.ClientConfig()
	if err != nil {
		return nil, err
	}
	cfg.Timeout = sshDialTimeout
	return cfg, nil
}

// newSSHAuth builds the AuthMethod for user at hostPort ("host:port").
func newSSHAuth(user, hostPort string, creds *SSHCredentials) sshAuth {
	host := knownhosts.Normalize(hostPort)
	return sshAuth{&gitssh.PublicKeys{
		User: user, Signer: creds.Signer,
		HostKeyCallbackHelper: gitssh.HostKeyCallbackHelper{
			HostKeyCallback:   creds.KnownHosts.hostKeyCallback(),
			HostKeyAlgorithms: creds.KnownHosts.hostKeyAlgorithms(host),
		},
	}}
}
