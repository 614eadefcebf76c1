package gitwrite

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// Sentinels for errors.Is. Repository-level failures come back from Write as
// an *Error wrapping one of them; per-Proposal failures are in Result.Err
// (manifestedit's typed errors).
var (
	// ErrAuthentication: the server refused the credentials (401/403).
	ErrAuthentication = errors.New("git credentials refused")
	// ErrUnreachable: the repository could not be reached (network, DNS,
	// server down, timeout).
	ErrUnreachable = errors.New("git repository unreachable")
	// ErrRepositoryNotFound: the server has no such repository.
	ErrRepositoryNotFound = errors.New("git repository not found")
	// ErrBranchNotFound: the repository has no such branch.
	ErrBranchNotFound = errors.New("git branch not found")
	// ErrNonFastForward: the branch moved between fetch and push. Write
	// retries on the new head; it surfaces only when every attempt lost.
	ErrNonFastForward = errors.New("git push refused: the branch moved (non-fast-forward)")
	// ErrConfig: the configuration cannot work (bad URL, template, auth kind).
	ErrConfig = errors.New("invalid git write-back configuration")
	// ErrSSHIdentity: the Secret's SSH identity is missing, does not parse
	// (not a private key, wrong password, encrypted without one) or is of a
	// type Git servers refuse.
	ErrSSHIdentity = errors.New("invalid SSH identity")
	// ErrKnownHostsMissing: an SSH Secret without known_hosts; host keys
	// are always verified, so nothing is fetched or pushed.
	ErrKnownHostsMissing = errors.New("known_hosts missing")
	// ErrKnownHostsInvalid: known_hosts does not parse.
	ErrKnownHostsInvalid = errors.New("known_hosts invalid")
	// ErrHostKeyMismatch: the SSH server's host key is not the one
	// known_hosts lists for it (or is @revoked); the connection was closed
	// before anything was sent. The *Error also wraps a *HostKeyError.
	ErrHostKeyMismatch = errors.New("SSH host key does not match known_hosts")
	// ErrHostKeyUnknown: known_hosts lists no key for the SSH server.
	ErrHostKeyUnknown = errors.New("SSH host not in known_hosts")
)

// Error is a repository-level failure: what was being done, and the cause.
type Error struct {
	// Op is "fetch", "push", "open cache", ...
	Op string
	// Kind is one of the sentinels above.
	Kind error
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("git %s: %v: %v", e.Op, e.Kind, e.Err) }

// Unwrap exposes both the sentinel and the cause.
func (e *Error) Unwrap() []error { return []error{e.Kind, e.Err} }

// classify turns a go-git transport error into an *Error of a known kind.
func classify(op string, err error) error {
	kind := ErrUnreachable
	var noRef git.NoMatchingRefSpecError
	var netErr net.Error
	var urlErr *url.Error
	hostKey, refusedHostKey := errors.AsType[*HostKeyError](err)
	switch {
	case refusedHostKey:
		kind = hostKey.kind()
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed), isSSHAuthRefused(err):
		kind = ErrAuthentication
	case errors.Is(err, transport.ErrRepositoryNotFound):
		kind = ErrRepositoryNotFound
	case errors.As(err, &noRef):
		kind = ErrBranchNotFound
	case isNonFastForward(err):
		kind = ErrNonFastForward
	case errors.As(err, &netErr), errors.As(err, &urlErr), errors.Is(err, context.DeadlineExceeded):
		kind = ErrUnreachable
	}
	return &Error{Op: op, Kind: kind, Err: err}
}

// isNonFastForward is the one place that reads go-git's push errors as
// text. go-git reports a refused update without a type: its own check
// before sending ("non-fast-forward update: refs/heads/main") and the
// server's report-status line ("command error on refs/heads/main:
// non-fast-forward", or "fetch first" / "failed to update ref" when the ref
// moved during the push). Everything else stays what classify makes of it.
func isNonFastForward(err error) bool {
	msg := err.Error()
	for _, s := range []string{"non-fast-forward", "fetch first", "failed to update ref", "failed to lock"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// isSSHAuthRefused reads golang.org/x/crypto/ssh's client error for a key
// the server refused ("ssh: unable to authenticate, attempted methods
// [none publickey], no supported methods remain"): it has no type.
func isSSHAuthRefused(err error) bool {
	return strings.Contains(err.Error(), "ssh: unable to authenticate")
}
