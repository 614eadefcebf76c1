package gitwrite

import (
	"context"
	"fmt"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/memory"
)

// CheckResult is what a check of a repository found.
type CheckResult struct {
	// Head is the tracked branch's head.
	Head string
	// Branches is how many branches the remote lists.
	Branches int
}

// Check asks the remote for its branches (an ls-remote) with the
// configuration's credentials, as a fetch would, and finds the tracked
// branch among them: the URL parses, the Secret's credentials (and, over
// SSH, known_hosts and the server's host key) are accepted, the
// repository and the branch exist, and the message template renders.
// Nothing is fetched or pushed, and the cached clone is not touched, so a
// check never waits for a write. The error is an *Error of one of the
// sentinels, as Write's.
func (w *Writer) Check(ctx context.Context, cfg Config) (CheckResult, error) {
	if _, err := cfg.template(); err != nil {
		return CheckResult{}, err
	}
	auth, err := cfg.auth()
	if err != nil {
		return CheckResult{}, err
	}
	remote := git.NewRemote(memory.NewStorage(), &config.RemoteConfig{Name: git.DefaultRemoteName, URLs: []string{cfg.URL}})
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: auth})
	if err != nil {
		return CheckResult{}, classify(opListBranches, err)
	}
	out := CheckResult{}
	for _, r := range refs {
		if !r.Name().IsBranch() || r.Type() != plumbing.HashReference {
			continue
		}
		out.Branches++
		if r.Name() == plumbing.NewBranchReferenceName(cfg.Branch) {
			out.Head = r.Hash().String()
		}
	}
	if out.Head == "" {
		return out, &Error{Op: opListBranches, Kind: ErrBranchNotFound, Err: fmt.Errorf("no branch %q among the remote's %d", cfg.Branch, out.Branches)}
	}
	return out, nil
}
