package gitwrite

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/sshgitserver"
)

func TestCredentialsFromSecretSSH(t *testing.T) {
	plain := sshgitserver.NewIdentity(t, "")
	encrypted := sshgitserver.NewIdentity(t, "hunter2")
	other := sshgitserver.NewIdentity(t, "")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)})
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	ecPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})
	hosts := []byte(knownhosts.Line([]string{"git.example.com"}, other.PublicKey) + "\n")
	// An OpenSSL DSA key: the parser checks the sizes of P (1024 bits) and
	// Q (160), not that the numbers make a key.
	bits := func(n uint) *big.Int { return new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), n-1), big.NewInt(1)) }
	dsaDER, err := asn1.Marshal(struct{ Version, P, Q, G, Pub, Priv *big.Int }{
		big.NewInt(0), bits(1024), bits(160), big.NewInt(4), big.NewInt(18), big.NewInt(3)})
	if err != nil {
		t.Fatal(err)
	}
	dsaPEM := pem.EncodeToMemory(&pem.Block{Type: "DSA PRIVATE KEY", Bytes: dsaDER})
	pubLine := ssh.MarshalAuthorizedKey(plain.PublicKey)

	cases := []struct {
		name     string
		data     map[string][]byte
		err      error
		wantType string
		says     string // in the error's message, when set
	}{
		{"OpenSSH ed25519", map[string][]byte{"identity": plain.PrivateKeyPEM, "known_hosts": hosts}, nil, ssh.KeyAlgoED25519, ""},
		{"with its identity.pub", map[string][]byte{"identity": plain.PrivateKeyPEM, "identity.pub": pubLine, "known_hosts": hosts}, nil, ssh.KeyAlgoED25519, ""},
		{"PKCS#1 RSA", map[string][]byte{"identity": rsaPEM, "known_hosts": hosts}, nil, ssh.KeyAlgoRSA, ""},
		{"PKCS#8 ECDSA", map[string][]byte{"identity": ecPEM, "known_hosts": hosts}, nil, ssh.KeyAlgoECDSA256, ""},
		{"encrypted, with its password", map[string][]byte{"identity": encrypted.PrivateKeyPEM, "password": []byte("hunter2"), "known_hosts": hosts}, nil, ssh.KeyAlgoED25519, ""},
		{"encrypted, no password", map[string][]byte{"identity": encrypted.PrivateKeyPEM, "known_hosts": hosts}, ErrSSHIdentity, "", "encrypted and the Secret has no password"},
		{"encrypted, wrong password", map[string][]byte{"identity": encrypted.PrivateKeyPEM, "password": []byte("nope"), "known_hosts": hosts}, ErrSSHIdentity, "", ""},
		{"a DSA key", map[string][]byte{"identity": dsaPEM, "known_hosts": hosts}, ErrSSHIdentity, "", "ssh-dss keys are not accepted"},
		{"a public key as identity", map[string][]byte{"identity": pubLine, "known_hosts": hosts}, ErrSSHIdentity, "", ""},
		{"a certificate as identity", map[string][]byte{"identity": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), "known_hosts": hosts}, ErrSSHIdentity, "", ""},
		{"identity.pub of another key", map[string][]byte{"identity": plain.PrivateKeyPEM, "identity.pub": ssh.MarshalAuthorizedKey(other.PublicKey), "known_hosts": hosts}, ErrSSHIdentity, "", "not the public half"},
		{"identity.pub not a key", map[string][]byte{"identity": plain.PrivateKeyPEM, "identity.pub": []byte("ssh-ed25519 !!"), "known_hosts": hosts}, ErrSSHIdentity, "", ""},
		{"no known_hosts", map[string][]byte{"identity": plain.PrivateKeyPEM}, ErrKnownHostsMissing, "", "host keys are always verified"},
		{"blank known_hosts", map[string][]byte{"identity": plain.PrivateKeyPEM, "known_hosts": []byte("\n  \n")}, ErrKnownHostsMissing, "", ""},
		{"only comments in known_hosts", map[string][]byte{"identity": plain.PrivateKeyPEM, "known_hosts": []byte("# none yet\n")}, ErrKnownHostsMissing, "", ""},
		{"known_hosts not parsable", map[string][]byte{"identity": plain.PrivateKeyPEM, "known_hosts": []byte("git.example.com ssh-ed25519 AAAA!!\n")}, ErrKnownHostsInvalid, "", ""},
		{"a bad hashed name", map[string][]byte{"identity": plain.PrivateKeyPEM, "known_hosts": []byte("|1|abc " + strings.TrimPrefix(string(hosts), "git.example.com "))}, ErrKnownHostsInvalid, "", ""},
		{"known_hosts without identity", map[string][]byte{"known_hosts": hosts}, ErrSSHIdentity, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CredentialsFromSecret(tc.data)
			if err != nil {
				t.Fatalf("a Secret with SSH keys failed before the URL was known: %v", err)
			}
			// What is wrong with the keys fails an SSH URL ...
			_, err = Config{URL: "ssh://git@git.example.com/roles.git", Branch: "main", Credentials: got}.auth()
			if !errors.Is(err, tc.err) || (tc.err != nil) != (err != nil) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if _, ok := errors.AsType[*Error](err); tc.err != nil && !ok {
				t.Errorf("%T is not an *Error", err)
			}
			if tc.says != "" && !strings.Contains(err.Error(), tc.says) {
				t.Errorf("%q does not say %q", err, tc.says)
			}
			// ... and an HTTPS URL, with no password beside them, is refused.
			if _, err := (Config{URL: "https://git.example.com/roles.git", Branch: "main", Credentials: got}).auth(); tc.data["password"] == nil && !errors.Is(err, ErrConfig) {
				t.Errorf("HTTPS with SSH keys only: %v", err)
			}
			if tc.err != nil {
				if got.SSH != nil {
					t.Errorf("credentials %+v with an error", got)
				}
				return
			}
			if got.SSH == nil || got.SSH.Signer.PublicKey().Type() != tc.wantType {
				t.Errorf("credentials %+v, want an SSH signer of type %s", got, tc.wantType)
			}
		})
	}
}

// TestSharedFluxSecret: as in Flux, a Secret with both halves serves both
// kinds of URL, and the URL picks the half; a broken SSH half does not
// break HTTPS.
func TestSharedFluxSecret(t *testing.T) {
	id := sshgitserver.NewIdentity(t, "")
	hosts := []byte(knownhosts.Line([]string{"git.example.com"}, id.PublicKey))
	for name, data := range map[string]map[string][]byte{
		"both usable":     {"username": []byte("bot"), "password": []byte("tok"), "identity": id.PrivateKeyPEM, "known_hosts": hosts},
		"SSH half broken": {"username": []byte("bot"), "password": []byte("tok"), "identity": []byte("not a key")},
	} {
		t.Run(name, func(t *testing.T) {
			creds, err := CredentialsFromSecret(data)
			if err != nil {
				t.Fatal(err)
			}
			auth, err := Config{URL: "https://git.example.com/roles.git", Branch: "main", Credentials: creds}.auth()
			if basic, ok := auth.(*githttp.BasicAuth); err != nil || !ok || basic.Username != "bot" || basic.Password != "tok" {
				t.Errorf("HTTPS: %v %#v", err, auth)
			}
			auth, err = Config{URL: "git@git.example.com:roles.git", Branch: "main", Credentials: creds}.auth()
			if _, ssh := auth.(sshAuth); (creds.SSH != nil) != ssh || (creds.SSH == nil) != errors.Is(err, ErrSSHIdentity) {
				t.Errorf("SSH: %v %T", err, auth)
			}
		})
	}
}

// certFor signs key as a host certificate of principal by ca.
func certFor(t *testing.T, ca ssh.Signer, key ssh.PublicKey, principal string) *ssh.Certificate {
	t.Helper()
	cert := &ssh.Certificate{Key: key, CertType: ssh.HostCert, ValidPrincipals: []string{principal},
		ValidBefore: ssh.CertTimeInfinity, Serial: 1}
	if err := cert.SignCert(rand.Reader, ca); err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestHostKeyCallback(t *testing.T) {
	server := sshgitserver.NewHostKey(t).PublicKey()
	other := sshgitserver.NewHostKey(t).PublicKey()
	ca := sshgitserver.NewHostKey(t)
	line := func(host string, k ssh.PublicKey) string { return knownhosts.Line([]string{host}, k) }
	hashed := func(host string, k ssh.PublicKey) string {
		return knownhosts.HashHostname(host) + " " + strings.SplitN(line(host, k), " ", 2)[1]
	}
	cases := []struct {
		name       string
		knownHosts []string
		address    string
		offered    ssh.PublicKey
		err        error
	}{
		{"listed", []string{line("git.example.com", server)}, "git.example.com:22", server, nil},
		{"listed among others", []string{line("other.example.com", other), "git.example.com,10.0.0.1 " + strings.SplitN(line("x", server), " ", 2)[1]}, "git.example.com:22", server, nil},
		{"changed key", []string{line("git.example.com", other)}, "git.example.com:22", server, ErrHostKeyMismatch},
		{"unknown host", []string{line("other.example.com", server)}, "git.example.com:22", server, ErrHostKeyUnknown},
		{"case of the name", []string{line("Git.Example.com", server)}, "git.example.com:22", server, nil},
		{"port in brackets", []string{line("[git.example.com]:2222", server)}, "git.example.com:2222", server, nil},
		{"bare name is port 22 only", []string{line("git.example.com", server)}, "git.example.com:2222", server, ErrHostKeyUnknown},
		{"bracketed port 22 is the bare name", []string{line("[git.example.com]:22", server)}, "git.example.com:22", server, nil},
		{"loopback with a port", []string{line("[127.0.0.1]:40022", server)}, "127.0.0.1:40022", server, nil},
		{"IPv6", []string{line("[::1]:2222", server)}, "[::1]:2222", server, nil},
		{"hashed", []string{hashed("git.example.com", server)}, "git.example.com:22", server, nil},
		{"hashed with a port", []string{hashed("[git.example.com]:2222", server)}, "git.example.com:2222", server, nil},
		{"hashed, changed key", []string{hashed("git.example.com", other)}, "git.example.com:22", server, ErrHostKeyMismatch},
		{"hashed, other host", []string{hashed("other.example.com", server)}, "git.example.com:22", server, ErrHostKeyUnknown},
		{"wildcard", []string{line("*.example.com", server)}, "git.example.com:22", server, nil},
		{"question mark", []string{line("git?.example.com", server)}, "git1.example.com:22", server, nil},
		{"wildcard does not match the parent", []string{line("*.example.com", server)}, "example.com:22", server, ErrHostKeyUnknown},
		{"negated", []string{"*.example.com,!evil.example.com " + strings.SplitN(line("x", server), " ", 2)[1]}, "evil.example.com:22", server, ErrHostKeyUnknown},
		{"revoked", []string{line("git.example.com", server), "@revoked * " + strings.SplitN(line("x", server), " ", 2)[1]}, "git.example.com:22", server, ErrHostKeyMismatch},
		{"comments and blank lines", []string{"# the forge", "", line("git.example.com", server)}, "git.example.com:22", server, nil},
		{"certificate of a listed authority", []string{"@cert-authority *.example.com " + strings.SplitN(line("x", ca.PublicKey()), " ", 2)[1]}, "git.example.com:22", certFor(t, ca, server, "git.example.com"), nil},
		{"certificate for another name", []string{"@cert-authority *.example.com " + strings.SplitN(line("x", ca.PublicKey()), " ", 2)[1]}, "git.example.com:22", certFor(t, ca, server, "other.example.com"), ErrHostKeyUnknown},
		{"certificate of an unlisted authority", []string{"@cert-authority *.example.com " + strings.SplitN(line("x", other), " ", 2)[1]}, "git.example.com:22", certFor(t, ca, server, "git.example.com"), ErrHostKeyUnknown},
		{"a CA key is no host key", []string{"@cert-authority git.example.com " + strings.SplitN(line("x", server), " ", 2)[1]}, "git.example.com:22", server, ErrHostKeyUnknown},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			kh, err := ParseKnownHosts([]byte(strings.Join(tc.knownHosts, "\n") + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			err = kh.hostKeyCallback()(tc.address, &net.TCPAddr{IP: net.IPv4(10, 9, 8, 7), Port: 22}, tc.offered)
			if tc.err == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			refusal, ok := errors.AsType[*HostKeyError](err)
			if !ok {
				t.Fatalf("error %v (%T), want a *HostKeyError", err, err)
			}
			if refusal.kind() != tc.err {
				t.Errorf("kind %v, want %v (%v)", refusal.kind(), tc.err, refusal)
			}
			if !strings.Contains(refusal.Error(), ssh.FingerprintSHA256(server)) {
				t.Errorf("%q does not name the offered key", refusal.Error())
			}
		})
	}
}

func TestHostKeyAlgorithms(t *testing.T) {
	ed := sshgitserver.NewHostKey(t).PublicKey()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaPub, err := ssh.NewPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	line := func(host string, k ssh.PublicKey) string { return knownhosts.Line([]string{host}, k) }
	cases := []struct {
		name       string
		knownHosts []string
		host       string
		want       []string
	}{
		{"one ed25519 key", []string{line("github.com", ed), line("gitlab.com", rsaPub)}, "github.com", []string{ssh.KeyAlgoED25519}},
		{"RSA signs with SHA-2 first", []string{line("github.com", rsaPub)}, "github.com", []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}},
		{"both, in file order", []string{line("github.com", ed), line("github.com", rsaPub)}, "github.com", []string{ssh.KeyAlgoED25519, ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}},
		{"unlisted host: Go's defaults", []string{line("github.com", ed)}, "[github.com]:2222", nil},
		{"a certificate authority: Go's defaults", []string{line("github.com", ed), "@cert-authority github.com " + strings.SplitN(line("x", rsaPub), " ", 2)[1]}, "github.com", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			kh, err := ParseKnownHosts([]byte(strings.Join(tc.knownHosts, "\n")))
			if err != nil {
				t.Fatal(err)
			}
			if got := kh.hostKeyAlgorithms(tc.host); !slices.Equal(got, tc.want) {
				t.Errorf("%v, want %v", got, tc.want)
			}
		})
	}
}

func TestAuthPicksTheTransportByURL(t *testing.T) {
	id := sshgitserver.NewIdentity(t, "")
	creds, err := CredentialsFromSecret(map[string][]byte{"identity": id.PrivateKeyPEM,
		"known_hosts": []byte(knownhosts.Line([]string{"git.example.com", "[git.example.com]:2222"}, id.PublicKey))})
	if err != nil {
		t.Fatal(err)
	}
	https := Credentials{Username: "bot", Password: "tok"}
	cases := []struct {
		url   string
		creds Credentials
		err   error
		user  string
		addr  string
	}{
		{"ssh://git@git.example.com/career/roles.git", creds, nil, "git", "git.example.com:22"},
		{"ssh://deploy@git.example.com:2222/roles.git", creds, nil, "deploy", "git.example.com:2222"},
		{"ssh://git.example.com/roles.git", creds, nil, "git", "git.example.com:22"},
		{"git@git.example.com:career/roles.git", creds, nil, "git", "git.example.com:22"},
		{"ssh://git:secret@git.example.com/roles.git", creds, ErrConfig, "", ""},
		{"ssh://git@git.example.com/", creds, ErrConfig, "", ""},
		{"ssh://git@git.example.com/roles.git", https, ErrSSHIdentity, "", ""},
		{"git@git.example.com:roles.git", Credentials{}, ErrSSHIdentity, "", ""},
		{"https://git.example.com/roles.git", creds, ErrConfig, "", ""},
		{"https://git.example.com/roles.git", https, nil, "", ""},
		{"https://bot:tok@git.example.com/roles.git", https, ErrConfig, "", ""},
		{"git.example.com:roles.git", creds, ErrConfig, "", ""},
		{"file:///srv/git/roles.git", creds, ErrConfig, "", ""},
		{"/srv/git/roles.git", creds, ErrConfig, "", ""},
		{"git://git.example.com/roles.git", creds, ErrConfig, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			auth, err := Config{URL: tc.url, Branch: "main", Credentials: tc.creds}.auth()
			if !errors.Is(err, tc.err) || (tc.err != nil) != (err != nil) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if tc.err != nil || tc.user == "" {
				return
			}
			a, ok := auth.(sshAuth)
			if !ok {
				t.Fatalf("auth %T, want SSH", auth)
			}
			cfg, err := a.ClientConfig()
			if err != nil {
				t.Fatal(err)
			}
			if cfg.User != tc.user || cfg.HostKeyCallback == nil || cfg.Timeout != sshDialTimeout ||
				!slices.Equal(cfg.HostKeyAlgorithms, []string{ssh.KeyAlgoED25519}) {
				t.Errorf("client config user %q, algorithms %v, timeout %v", cfg.User, cfg.HostKeyAlgorithms, cfg.Timeout)
			}
			// The callback is the Secret's: this host's key passes, another does not.
			if err := cfg.HostKeyCallback(tc.addr, nil, id.PublicKey); err != nil {
				t.Errorf("own host key refused at %s: %v", tc.addr, err)
			}
			if err := cfg.HostKeyCallback(tc.addr, nil, sshgitserver.NewHostKey(t).PublicKey()); !errors.As(err, new(*HostKeyError)) {
				t.Errorf("another key at %s: %v", tc.addr, err)
			}
			var _ gitssh.AuthMethod = a
		})
	}
}

// sshFixture is newFixture's repository served over SSH too.
func newSSHFixture(t *testing.T) (*fixture, *sshgitserver.Server, sshgitserver.Identity) {
	t.Helper()
	f := newFixture(t)
	id := sshgitserver.NewIdentity(t, "s3cret")
	srv := sshgitserver.Start(t, f.srv, id.PublicKey)
	creds, err := CredentialsFromSecret(map[string][]byte{
		"identity": id.PrivateKeyPEM, "password": []byte("s3cret"), "known_hosts": []byte(srv.KnownHosts())})
	if err != nil {
		t.Fatal(err)
	}
	f.cfg.URL, f.cfg.Credentials = srv.URL("roles"), creds
	return f, srv, id
}

func TestWriteOverSSH(t *testing.T) {
	f, srv, _ := newSSHFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p := proposal("uid-1", setK8sSenior("W", "V"))
	res, err := f.w.Write(ctx, f.cfg, p, nil, f.record)
	if err != nil || res.Err != nil {
		t.Fatal(err, res)
	}
	if log := f.log(t); len(log) != 2 || !strings.HasPrefix(log[0], res.Record.SHA+" ") {
		t.Fatalf("log %q, want our commit %s on the seed", log, res.Record.SHA)
	}
	if got := f.show(t, "main:"+rolePath); !strings.Contains(got, "{level: senior, proficiency: V}  # promoted") {
		t.Errorf("file:\n%s", got)
	}
	// An upload-pack for the fetch and a receive-pack for the push.
	if n := srv.Commands(); n != 2 {
		t.Errorf("%d git commands, want 2", n)
	}
	res, err = f.w.Write(ctx, f.cfg, p, &res.Record, f.record)
	if err != nil || !res.Existing {
		t.Fatalf("the second write found no existing commit: %v %+v", err, res)
	}
}

func TestWriteOverSSHRefusesWhatItCannotTrust(t *testing.T) {
	cases := []struct {
		name string
		// secret changes the fixture's Secret data.
		secret func(srv *sshgitserver.Server, data map[string][]byte)
		err    error
	}{
		{"host key changed", func(srv *sshgitserver.Server, data map[string][]byte) {
			data["known_hosts"] = []byte(srv.KnownHostsWith(sshgitserver.NewHostKey(t).PublicKey()))
		}, ErrHostKeyMismatch},
		{"host not in known_hosts", func(_ *sshgitserver.Server, data map[string][]byte) {
			data["known_hosts"] = []byte(knownhosts.Line([]string{"git.example.com"}, sshgitserver.NewHostKey(t).PublicKey()))
		}, ErrHostKeyUnknown},
		{"host key revoked", func(srv *sshgitserver.Server, data map[string][]byte) {
			data["known_hosts"] = append(data["known_hosts"], []byte("@revoked "+srv.KnownHosts())...)
		}, ErrHostKeyMismatch},
		{"client key not authorized", func(_ *sshgitserver.Server, data map[string][]byte) {
			data["identity"], data["password"] = sshgitserver.NewIdentity(t, "").PrivateKeyPEM, nil
		}, ErrAuthentication},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, srv, id := newSSHFixture(t)
			data := map[string][]byte{"identity": id.PrivateKeyPEM, "password": []byte("s3cret"), "known_hosts": []byte(srv.KnownHosts())}
			tc.secret(srv, data)
			creds, err := CredentialsFromSecret(data)
			if err != nil {
				t.Fatal(err)
			}
			f.cfg.Credentials = creds
			before := f.log(t)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, err = f.w.Write(ctx, f.cfg, proposal("uid-1", setK8sSenior("W", "V")), nil, f.record)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if _, ok := errors.AsType[*Error](err); !ok {
				t.Errorf("%T is not an *Error", err)
			}
			if tc.err != ErrAuthentication {
				if _, ok := errors.AsType[*HostKeyError](err); !ok {
					t.Errorf("%v carries no *HostKeyError", err)
				}
			}
			if n := srv.Commands(); n != 0 {
				t.Errorf("the server ran %d git commands, want none", n)
			}
			if after := f.log(t); !slices.Equal(after, before) {
				t.Errorf("the branch moved: %q", after)
			}
		})
	}
}

// FuzzWildcardMatch holds the host pattern matcher to the regular expression
// it stands for (`*` is `.*`, `?` is `.`, the rest literal).
func FuzzWildcardMatch(f *testing.F) {
	for _, seed := range [][2]string{{"*.example.com", "git.example.com"}, {"git?.example.com", "git1.example.com"},
		{"*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, {"[*]:22*", "[h]:2222"}, {"", ""}, {"**", "x"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, host string) {
		for _, c := range []byte(pattern + host) {
			if c < 0x20 || c > 0x7e {
				t.Skip("ASCII only: the regexp counts runes, the matcher bytes")
			}
		}
		var re strings.Builder
		re.WriteString("^(?s)")
		for _, c := range pattern {
			switch c {
			case '*':
				re.WriteString(".*")
			case '?':
				re.WriteString(".")
			default:
				re.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		re.WriteString("$")
		if got, want := wildcardMatch(pattern, host), regexp.MustCompile(re.String()).MatchString(host); got != want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", pattern, host, got, want)
		}
	})
}

// FuzzParseKnownHosts feeds arbitrary known_hosts files and addresses to the
// parser and the host key check: no panic, and a check either accepts or
// refuses with a *HostKeyError that names the offered key.
func FuzzParseKnownHosts(f *testing.F) {
	key := sshgitserver.NewHostKey(f).PublicKey()
	f.Add([]byte(knownhosts.Line([]string{"git.example.com", "[git.example.com]:2222"}, key)), "git.example.com:22")
	f.Add([]byte("|1|c2FsdA==|aGFzaA== "+strings.SplitN(knownhosts.Line([]string{"x"}, key), " ", 2)[1]), "[::1]:2222")
	f.Add([]byte("@revoked * "+strings.SplitN(knownhosts.Line([]string{"x"}, key), " ", 2)[1]+"\n# c\n"), "h:1")
	f.Add([]byte("!*,|1|,| "+strings.SplitN(knownhosts.Line([]string{"x"}, key), " ", 2)[1]), "h")
	f.Fuzz(func(t *testing.T, data []byte, address string) {
		kh, err := ParseKnownHosts(data)
		if err != nil {
			if !errors.Is(err, ErrKnownHostsInvalid) && !errors.Is(err, ErrKnownHostsMissing) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		_ = kh.hostKeyAlgorithms(knownhosts.Normalize(address))
		err = kh.hostKeyCallback()(address, nil, key)
		if err == nil {
			return
		}
		refusal, ok := errors.AsType[*HostKeyError](err)
		if !ok || !strings.Contains(refusal.Error(), ssh.FingerprintSHA256(key)) {
			t.Fatalf("refusal %v", err)
		}
	})
}
