package gitwrite

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// Signing formats, as GitWriteBack's spec.signing.format names them.
const (
	SigningSSH     = "SSH"
	SigningOpenPGP = "OpenPGP"
)

const opSignCommit = "sign commit"

// sshSigNamespace is the SSHSIG namespace git signs and verifies commits in
// (gpg.format=ssh).
const sshSigNamespace = "git"

// ErrSigningKey: signing is configured and the key is missing, does not
// parse, is encrypted without the right passphrase, or cannot sign. Nothing
// is committed: the operator never pushes an unsigned commit instead.
var ErrSigningKey = errors.New("commit signing key unusable")

// Signing signs the operator's commits and knows the keys that make a
// commit the operator's: the signing key's public half and earlier keys
// still trusted after a rotation.
type Signing struct {
	format string
	ssh    ssh.Signer
	pgp    *openpgp.Entity
	// Trusted verifies signatures; it holds the signing key's public half.
	Trusted *KeyRing
}

// Format is SigningSSH or SigningOpenPGP.
func (s *Signing) Format() string { return s.format }

// sign is the armored signature of a commit's payload, as git's gpgsig
// header holds it: an SSHSIG (namespace "git", SHA-512) or an OpenPGP
// detached signature.
func (s *Signing) sign(payload []byte) (string, error) {
	switch {
	case s.ssh != nil:
		sig, err := sshsig.Sign(bytes.NewReader(payload), s.ssh, sshsig.HashSHA512, sshSigNamespace)
		if err != nil {
			return "", &Error{Op: opSignCommit, Kind: ErrSigningKey, Err: err}
		}
		return string(sshsig.Armor(sig)), nil
	case s.pgp != nil:
		var b bytes.Buffer
		if err := openpgp.ArmoredDetachSign(&b, s.pgp, bytes.NewReader(payload), &packet.Config{}); err != nil {
			return "", &Error{Op: opSignCommit, Kind: ErrSigningKey, Err: err}
		}
		return b.String(), nil
	}
	return "", &Error{Op: opSignCommit, Kind: ErrSigningKey, Err: errors.New("no signing key")}
}

// KeyRing holds the public keys whose signatures make a commit the
// operator's: SSH keys (SSHSIG, namespace "git") and OpenPGP keys.
type KeyRing struct {
	ssh []ssh.PublicKey
	pgp openpgp.EntityList
}

// Len is the number of keys.
func (k *KeyRing) Len() int {
	if k == nil {
		return 0
	}
	return len(k.ssh) + len(k.pgp)
}

// Verify reports whether signature, an armored SSHSIG or OpenPGP
// signature, is valid over payload and made by one of the keys.
func (k *KeyRing) Verify(payload []byte, signature string) bool {
	if k.Len() == 0 || signature == "" {
		return false
	}
	if strings.HasPrefix(strings.TrimSpace(signature), "-----BEGIN SSH SIGNATURE-----") {
		sig, err := sshsig.Unarmor([]byte(signature))
		if err != nil {
			return false
		}
		for _, pub := range k.ssh {
			if keysEqual(pub, sig.PublicKey) &&
				sshsig.Verify(bytes.NewReader(payload), sig, pub, sig.HashAlgorithm, sshSigNamespace) == nil {
				return true
			}
		}
		return false
	}
	if len(k.pgp) == 0 {
		return false
	}
	_, err := openpgp.CheckArmoredDetachedSignature(k.pgp, bytes.NewReader(payload), strings.NewReader(signature), nil)
	return err == nil
}

// ParseTrustedKeys reads public keys: SSH keys in authorized_keys form (one
// per line, comments and blank lines ignored) and armored OpenPGP public
// key blocks, in any order, in one or several strings.
func ParseTrustedKeys(keys ...string) (*KeyRing, error) {
	ring := &KeyRing{}
	for _, text := range keys {
		for len(strings.TrimSpace(text)) > 0 {
			text = strings.TrimLeft(text, " \t\r\n")
			if strings.HasPrefix(text, "-----BEGIN PGP") {
				end := strings.Index(text, "-----END PGP PUBLIC KEY BLOCK-----")
				if end < 0 {
					return nil, fmt.Errorf("an OpenPGP public key block without its end line")
				}
				end += len("-----END PGP PUBLIC KEY BLOCK-----")
				entities, err := openpgp.ReadArmoredKeyRing(strings.NewReader(text[:end]))
				if err != nil {
					return nil, fmt.Errorf("an OpenPGP public key block: %w", err)
				}
				ring.pgp = append(ring.pgp, entities...)
				text = text[end:]
				continue
			}
			line, rest, _ := strings.Cut(text, "\n")
			text = rest
			if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
			if err != nil {
				return nil, fmt.Errorf("%q is neither an SSH public key nor an OpenPGP public key block: %w", firstWords(line), err)
			}
			ring.ssh = append(ring.ssh, pub)
		}
	}
	return ring, nil
}

func firstWords(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// SigningFromSecret reads the signing key from a Secret's data: `signingKey`
// (an OpenSSH, PKCS#1 or PKCS#8 private key for SSH; an armored OpenPGP
// private key for OpenPGP) and `passphrase` when it is encrypted. trusted
// are further public keys whose signatures still make a commit the
// operator's (keys rotated out). Any problem is ErrSigningKey.
func SigningFromSecret(format string, data map[string][]byte, trusted []string) (*Signing, error) {
	fail := func(err error) (*Signing, error) {
		return nil, &Error{Op: "read signing key", Kind: ErrSigningKey, Err: err}
	}
	key := data["signingKey"]
	if len(bytes.TrimSpace(key)) == 0 {
		return fail(errors.New("the Secret has no signingKey"))
	}
	ring, err := ParseTrustedKeys(trusted...)
	if err != nil {
		return fail(fmt.Errorf("trustedKeys: %w", err))
	}
	s := &Signing{format: format, Trusted: ring}
	passphrase := data["passphrase"]
	switch format {
	case SigningSSH:
		if s.ssh, err = parseSigningSSH(key, passphrase); err != nil {
			return fail(err)
		}
		ring.ssh = append(ring.ssh, s.ssh.PublicKey())
	case SigningOpenPGP:
		if s.pgp, err = parseSigningPGP(key, passphrase); err != nil {
			return fail(err)
		}
		ring.pgp = append(ring.pgp, s.pgp)
	default:
		return fail(fmt.Errorf("unknown signing format %q (SSH or OpenPGP)", format))
	}
	// A key that cannot sign is found now, not at the first commit.
	if _, err := s.sign([]byte("probe")); err != nil {
		return nil, err
	}
	return s, nil
}

func parseSigningSSH(key, passphrase []byte) (ssh.Signer, error) {
	if len(passphrase) > 0 {
		return ssh.ParsePrivateKeyWithPassphrase(key, passphrase)
	}
	signer, err := ssh.ParsePrivateKey(key)
	if _, encrypted := errors.AsType[*ssh.PassphraseMissingError](err); encrypted {
		return nil, errors.New("the signing key is encrypted and the Secret has no passphrase")
	}
	return signer, err
}

func parseSigningPGP(key, passphrase []byte) (*openpgp.Entity, error) {
	block, err := armor.Decode(bytes.NewReader(key))
	if err != nil {
		return nil, fmt.Errorf("not an armored OpenPGP key: %w", err)
	}
	entities, err := openpgp.ReadKeyRing(block.Body)
	if err != nil {
		return nil, err
	}
	if len(entities) != 1 {
		return nil, fmt.Errorf("the signingKey holds %d OpenPGP keys, want one", len(entities))
	}
	e := entities[0]
	if e.PrivateKey == nil {
		return nil, errors.New("the signingKey is an OpenPGP public key, not a private key")
	}
	if e.PrivateKey.Encrypted {
		if len(passphrase) == 0 {
			return nil, errors.New("the signing key is encrypted and the Secret has no passphrase")
		}
		if err := e.DecryptPrivateKeys(passphrase); err != nil {
			return nil, fmt.Errorf("decrypting the signing key: %w", err)
		}
	}
	return e, nil
}
