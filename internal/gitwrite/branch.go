package gitwrite

import (
	"context"
	"errors"
	"fmt"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// ErrBranchTaken: Branch mode found the Proposal's branch on the remote
// without the Proposal's recorded commit on it (someone else's branch of
// that name). Nothing is pushed over it, and nothing on it is adopted; the
// *BranchTakenError says who holds it.
var ErrBranchTaken = errors.New("git branch exists without the Proposal's commit")

// Operations named in an *Error.
const (
	opCheckBranch = "check branch"
	// opListBranches is an ls-remote.
	opListBranches = "list branches"
	opReadHead     = "read head"
	opReadHistory  = "read history"
)

// Branch mode pushes each Proposal to a branch of its own and leaves the
// merge to people; Locate is how the operator follows what became of it,
// since Git has no watch: one ls-remote and one incremental fetch.

// pushTarget is the branch the commits go to.
func (s *session) pushTarget() string {
	if s.cfg.PushBranch != "" {
		return s.cfg.PushBranch
	}
	return s.cfg.Branch
}

// checkPushBranch refuses a PushBranch that is not a branch name, or is
// the tracked branch (that is Direct mode, spelt differently).
func checkPushBranch(cfg Config) error {
	b := cfg.PushBranch
	if b == "" {
		return nil
	}
	if !validBranchName(b) || b == cfg.Branch {
		return &Error{Op: opCheckBranch, Kind: ErrConfig, Err: fmt.Errorf("%q is not a branch name other than %q", b, cfg.Branch)}
	}
	return nil
}

// validBranchName follows git check-ref-format for the names the operator
// makes: no control or special characters, no "..", "@{", "//", no
// component that starts with "." or ends with ".lock" or is longer than 255
// bytes (a file name), no leading "-" or trailing "/" or ".".
func validBranchName(b string) bool {
	if b == "" || len(b) > 1024 || strings.ContainsAny(b, " ~^:?*[\\\x7f") ||
		strings.Contains(b, "..") || strings.Contains(b, "@{") || strings.Contains(b, "//") ||
		strings.HasPrefix(b, "-") || strings.HasPrefix(b, "/") || strings.HasSuffix(b, "/") || strings.HasSuffix(b, ".") || b == "@" {
		return false
	}
	for _, r := range b {
		if r < 0x20 {
			return false
		}
	}
	for part := range strings.SplitSeq(b, "/") {
		if strings.HasPrefix(part, ".") || strings.HasSuffix(part, ".lock") || len(part) > 255 {
			return false
		}
	}
	return true
}

// BranchName is the branch of one Proposal in Branch mode:
// <prefix><namespace>/<name>, so Proposals of the same name in two
// namespaces writing to one repository never share a branch. Namespace and
// name are Kubernetes names (DNS labels and subdomains): they hold no '/',
// so the name is unambiguous, and the only part of them git's ref rules
// refuse, a component ending in ".lock", gets a "-" appended (a Kubernetes
// name cannot end in '-', so that cannot collide). It is "" when the
// prefix makes no valid branch name, or the namespace or name is no
// Kubernetes name.
func BranchName(prefix, namespace, name string) string {
	if !isKubernetesName(namespace) || !isKubernetesName(name) {
		return ""
	}
	b := prefix + refComponent(namespace) + "/" + refComponent(name)
	if !validBranchName(b) {
		return ""
	}
	return b
}

// refComponent keeps a component out of git's ".lock" rule.
func refComponent(s string) string {
	if strings.HasSuffix(s, ".lock") {
		return s + "-"
	}
	return s
}

// isKubernetesName is a DNS subdomain (RFC 1123) as Kubernetes checks
// object names: at most 253 characters of lower-case letters, digits, '-'
// and '.', starting and ending with a letter or digit.
func isKubernetesName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for i, r := range s {
		alnum := r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
		if !alnum && r != '-' && r != '.' {
			return false
		}
		if (i == 0 || i == len(s)-1) && !alnum {
			return false
		}
	}
	return !strings.Contains(s, "..")
}

// listRemote is the remote's branches and their heads (ls-remote).
func (s *session) listRemote(ctx context.Context) (map[plumbing.ReferenceName]plumbing.Hash, error) {
	remote, err := s.repo.Remote(git.DefaultRemoteName)
	if err != nil {
		return nil, &Error{Op: "list branches", Kind: ErrConfig, Err: err}
	}
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: s.auth})
	if err != nil {
		return nil, classify(opListBranches, err)
	}
	out := make(map[plumbing.ReferenceName]plumbing.Hash, len(refs))
	for _, r := range refs {
		if r.Name().IsBranch() && r.Type() == plumbing.HashReference {
			out[r.Name()] = r.Hash()
		}
	}
	return out, nil
}

// fetchBranches brings the named branches into the cache's remote refs.
func (s *session) fetchBranches(ctx context.Context, branches ...string) error {
	specs := make([]config.RefSpec, len(branches))
	for i, b := range branches {
		specs[i] = config.RefSpec("+" + plumbing.NewBranchReferenceName(b).String() + ":" +
			plumbing.NewRemoteReferenceName(git.DefaultRemoteName, b).String())
	}
	err := s.repo.FetchContext(ctx, &git.FetchOptions{RemoteName: git.DefaultRemoteName, RefSpecs: specs, Auth: s.auth, Tags: git.NoTags})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return classify("fetch", err)
	}
	return nil
}

// trailerCommits maps the Proposal UIDs that uids reads from the last
// HistoryLimit commits from head (every parent followed, so a merge
// commit's second parent counts) to the newest commit naming them.
func (s *session) trailerCommits(head plumbing.Hash, uids func(c *object.Commit) []string) (map[string]plumbing.Hash, error) {
	c, err := s.repo.CommitObject(head)
	if err != nil {
		return nil, &Error{Op: opReadHistory, Kind: ErrUnreachable, Err: err}
	}
	out := map[string]plumbing.Hash{}
	n := 0
	err = object.NewCommitPreorderIter(c, nil, nil).ForEach(func(c *object.Commit) error {
		if n++; n > s.w.opts.HistoryLimit {
			return storer.ErrStop
		}
		for _, uid := range uids(c) {
			if _, seen := out[uid]; !seen {
				out[uid] = c.Hash
			}
		}
		return nil
	})
	if err != nil {
		return nil, &Error{Op: opReadHistory, Kind: ErrUnreachable, Err: err}
	}
	return out, nil
}
