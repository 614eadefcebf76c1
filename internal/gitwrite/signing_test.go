package gitwrite

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"golang.org/x/crypto/ssh"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/manifestedit"
)

// sshSigningKey is a fresh ed25519 key: the Secret's signingKey (OpenSSH
// PEM, encrypted with passphrase unless it is "") and the public key in
// authorized_keys form.
func sshSigningKey(t *testing.T, passphrase string) (pemKey []byte, public string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var block *pem.Block
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, "operator")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "operator", []byte(passphrase))
	}
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub)))
}

// pgpSigningKey is a fresh OpenPGP key: armored private key (encrypted with
// passphrase unless it is "") and armored public key.
func pgpSigningKey(t *testing.T, passphrase string) (private, public string) {
	t.Helper()
	e, err := openpgp.NewEntity("Skill Matrix", "", "bot@example.com", nil)
	if err != nil {
		t.Fatal(err)
	}
	var pub bytes.Buffer
	w, _ := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	if passphrase != "" {
		if err := e.EncryptPrivateKeys([]byte(passphrase), nil); err != nil {
			t.Fatal(err)
		}
	}
	var priv bytes.Buffer
	w, _ = armor.Encode(&priv, openpgp.PrivateKeyType, nil)
	if err := e.SerializePrivateWithoutSigning(w, nil); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	return priv.String(), pub.String()
}

// requireTool skips (or fails under CI=true) without a binary the
// verification needs (openssh-client's ssh-keygen, gnupg's gpg).
func requireTool(t *testing.T, name, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(name); err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required to verify signed commits: install the Debian package %s", name, pkg)
	}
	t.Skipf("%s not installed (Debian package %s)", name, pkg)
}

func TestSignedCommitsVerifyWithGit(t *testing.T) {
	t.Run("SSH", func(t *testing.T) {
		requireTool(t, "ssh-keygen", "openssh-client")
		key, public := sshSigningKey(t, "s3cret")
		signing, err := SigningFromSecret(SigningSSH, map[string][]byte{"signingKey": key, "passphrase": []byte("s3cret")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		f := newFixture(t)
		f.cfg.Signing = signing
		res := f.write(t, f.cfg, proposal("uid-1", setK8sSenior("W", "V")))
		if res.Err != nil || !strings.HasPrefix(res.Record.Signature, "-----BEGIN SSH SIGNATURE-----") {
			t.Fatalf("result %+v", res)
		}
		allowed := filepath.Join(t.TempDir(), "allowed_signers")
		if err := os.WriteFile(allowed, []byte(`bot@example.com namespaces="git" `+public+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := f.srv.Git("roles", nil, "-c", "gpg.ssh.allowedSignersFile="+allowed, "verify-commit", "-v", res.Record.SHA)
		if err != nil || !strings.Contains(out, `Good "git" signature for bot@example.com`) {
			t.Fatalf("git verify-commit: %v\n%s", err, out)
		}
		_, other := sshSigningKey(t, "")
		if err := os.WriteFile(allowed, []byte(`bot@example.com namespaces="git" `+other+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := f.srv.Git("roles", nil, "-c", "gpg.ssh.allowedSignersFile="+allowed, "verify-commit", res.Record.SHA); err == nil {
			t.Errorf("verified against another key:\n%s", out)
		}
	})
	t.Run("OpenPGP", func(t *testing.T) {
		requireTool(t, "gpg", "gnupg")
		private, public := pgpSigningKey(t, "s3cret")
		signing, err := SigningFromSecret(SigningOpenPGP, map[string][]byte{"signingKey": []byte(private), "passphrase": []byte("s3cret")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		f := newFixture(t)
		f.cfg.Signing = signing
		res := f.write(t, f.cfg, proposal("uid-1", setK8sSenior("W", "V")))
		if res.Err != nil || !strings.HasPrefix(res.Record.Signature, "-----BEGIN PGP SIGNATURE-----") {
			t.Fatalf("result %+v", res)
		}
		home := filepath.Join(t.TempDir(), "gnupg")
		if err := os.Mkdir(home, 0o700); err != nil {
			t.Fatal(err)
		}
		env := []string{"GNUPGHOME=" + home}
		importCmd := exec.Command("gpg", "--batch", "--import")
		importCmd.Env, importCmd.Stdin = append(os.Environ(), env...), strings.NewReader(public)
		if out, err := importCmd.CombinedOutput(); err != nil {
			t.Fatalf("gpg --import: %v\n%s", err, out)
		}
		out, err := f.srv.Git("roles", env, "verify-commit", "-v", res.Record.SHA)
		if err != nil || !strings.Contains(out, `Good signature from "Skill Matrix <bot@example.com>"`) {
			t.Fatalf("git verify-commit: %v\n%s", err, out)
		}
		// Gone with the cache: rebuilt from the record, signature and all.
		rec := res.Record
		if err := f.srv.Commit("roles", "main", map[string]string{"README.md": "x\n"}, "later"); err != nil {
			t.Fatal(err)
		}
		again, err := NewWriter(t.TempDir(), Options{}).Write(context.Background(), f.cfg, proposal("uid-1", setK8sSenior("W", "V")), &rec, f.record)
		if err != nil || !again.Existing || again.Record != rec {
			t.Fatalf("%v %+v", err, again)
		}
	})
}

// With signing configured and the key unusable, nothing is committed: no
// unsigned commit instead.
func TestSigningKeyUnusable(t *testing.T) {
	sshKey, _ := sshSigningKey(t, "s3cret")
	pgpKey, pgpPublic := pgpSigningKey(t, "s3cret")
	tests := []struct {
		name, format string
		data         map[string][]byte
		trusted      []string
	}{
		{"no key", SigningSSH, map[string][]byte{}, nil},
		{"not a key", SigningSSH, map[string][]byte{"signingKey": []byte("hello")}, nil},
		{"encrypted, no passphrase", SigningSSH, map[string][]byte{"signingKey": sshKey}, nil},
		{"wrong passphrase", SigningSSH, map[string][]byte{"signingKey": sshKey, "passphrase": []byte("nope")}, nil},
		{"an SSH key as OpenPGP", SigningOpenPGP, map[string][]byte{"signingKey": sshKey, "passphrase": []byte("s3cret")}, nil},
		{"a public OpenPGP key", SigningOpenPGP, map[string][]byte{"signingKey": []byte(pgpPublic)}, nil},
		{"OpenPGP, wrong passphrase", SigningOpenPGP, map[string][]byte{"signingKey": []byte(pgpKey), "passphrase": []byte("nope")}, nil},
		{"unknown format", "X509", map[string][]byte{"signingKey": sshKey, "passphrase": []byte("s3cret")}, nil},
		{"a trusted key that does not parse", SigningSSH, map[string][]byte{"signingKey": sshKey, "passphrase": []byte("s3cret")}, []string{"ssh-ed25519 garbage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := SigningFromSecret(tt.format, tt.data, tt.trusted)
			if !errors.Is(err, ErrSigningKey) || s != nil {
				t.Fatalf("got %v, want ErrSigningKey", err)
			}
		})
	}
}

// After a key rotation, commits signed with a key listed in trustedKeys
// are still the operator's; with no record (an operator that pushed before
// it recorded, e.g. an older version), the signed commit of the Proposal is
// adopted instead of committing again, and an unsigned one never is.
func TestSignedCommitIsAdoptedAcrossARotation(t *testing.T) {
	oldKey, oldPublic := sshSigningKey(t, "")
	newKey, _ := sshSigningKey(t, "")
	oldSigning, err := SigningFromSecret(SigningSSH, map[string][]byte{"signingKey": oldKey}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	f.cfg.Signing = oldSigning
	first := f.write(t, f.cfg, proposal("uid-1", setK8sSenior("W", "V")))
	if first.Err != nil {
		t.Fatal(first)
	}
	f.records = nil

	rotated, err := SigningFromSecret(SigningSSH, map[string][]byte{"signingKey": newKey}, []string{"# the key before March\n" + oldPublic})
	if err != nil {
		t.Fatal(err)
	}
	f.cfg.Signing = rotated
	again := f.write(t, f.cfg, proposal("uid-1", setK8sSenior("W", "V")))
	if again.Err != nil || !again.Existing || again.Record.SHA != first.Record.SHA || len(f.records) != 1 || f.records[0].SHA != first.Record.SHA {
		t.Fatalf("result %+v, records %+v: want the signed commit adopted and recorded", again, f.records)
	}

	notTrusted, err := SigningFromSecret(SigningSSH, map[string][]byte{"signingKey": newKey}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.cfg.Signing = notTrusted
	res := f.write(t, f.cfg, proposal("uid-1", setK8sSenior("W", "V")))
	if res.Existing || !errors.Is(res.Err, manifestedit.ErrConflict) {
		t.Fatalf("result %+v: a key no longer trusted made the commit the operator's", res)
	}
}

func TestParseTrustedKeys(t *testing.T) {
	_, sshPublic := sshSigningKey(t, "")
	_, pgpPublic := pgpSigningKey(t, "")
	ring, err := ParseTrustedKeys(sshPublic+"\n\n# comment\n", pgpPublic+"\n"+sshPublic)
	if err != nil || ring.Len() != 3 {
		t.Fatalf("%v, %d keys", err, ring.Len())
	}
	if ring.Verify([]byte("x"), "") || ring.Verify([]byte("x"), "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----") {
		t.Error("verified garbage")
	}
	for _, bad := range []string{"ssh-rsa AAAA", "-----BEGIN PGP PUBLIC KEY BLOCK-----\nxx", "hello"} {
		if _, err := ParseTrustedKeys(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
