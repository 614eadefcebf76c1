package gitwrite

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/manifestedit"
)

// maxForeign bounds the foreign commits a Location lists.
const maxForeign = 20

// ForeignCommit is a commit the operator did not write, as Git reports it.
type ForeignCommit struct {
	SHA, Author, Subject string
}

func (f ForeignCommit) String() string {
	return fmt.Sprintf("%.12s by %s (%q)", f.SHA, f.Author, f.Subject)
}

// Location is where a committed Proposal is in Git. It is judged from the
// recorded commit and the content of the tracked branch only: no commit
// message is read, so nothing anyone types in one makes a Proposal look
// merged.
type Location struct {
	// TrackedHead is the tracked branch's head.
	TrackedHead string
	// Merged is the commit of the tracked branch's history that carries
	// exactly the Proposal's change: the recorded commit itself (a merge
	// commit, a fast-forward, or Direct mode's push), or a commit whose
	// only change is the Proposal's edit made again on its parent (in
	// Branch mode a squash or a rebase merge; in Direct mode a rebase of
	// the tracked branch). "" otherwise.
	Merged string
	// MergedWithOthers is, in Branch mode, a commit of the tracked branch
	// that makes the Proposal's edit together with changes to other files
	// (the squash of a branch with extra commits); "" when none.
	MergedWithOthers string
	// Extra are commits the operator did not write that came into the
	// tracked branch with the recorded one: the Proposal's branch had them
	// on top when it was merged.
	Extra []ForeignCommit
	// BranchHead is the head of the Proposal's own branch, "" when the
	// remote has no such branch (deleted) or it is Direct mode.
	BranchHead string
	// BranchExtra are commits others pushed on top of the recorded one on
	// the Proposal's branch.
	BranchExtra []ForeignCommit
	// BranchHolder is set when the Proposal's branch exists without the
	// recorded commit on it (replaced by someone): who holds it now.
	BranchHolder *BranchTakenError
	// ManifestPath and Manifest are the Role's manifest at the tracked head
	// (what the sync applies, merged or not); ManifestErr says why it was
	// not found instead (manifestedit's NotFound and Ambiguous errors).
	ManifestPath string
	Manifest     []byte
	ManifestErr  error
}

// Locate finds where the Proposal p, committed as rec, stands: whether its
// change reached the tracked branch and with what, whether its own branch
// still exists and is still the operator's, and the Role's manifest at the
// tracked head to compare with. The error is an *Error for what fails the
// whole repository, as for Write.
func (w *Writer) Locate(ctx context.Context, cfg Config, p Proposal, rec Record) (Location, error) {
	var loc Location
	err := w.run(ctx, cfg, nil, func(s *session) (err error) {
		loc, err = s.locate(ctx, &p, &rec)
		return err
	})
	return loc, err
}

func (s *session) locate(ctx context.Context, p *Proposal, rec *Record) (Location, error) {
	refs, err := s.listRemote(ctx)
	if err != nil {
		return Location{}, err
	}
	tracked, ok := refs[plumbing.NewBranchReferenceName(s.cfg.Branch)]
	if !ok {
		return Location{}, &Error{Op: opListBranches, Kind: ErrBranchNotFound, Err: fmt.Errorf("no branch %q", s.cfg.Branch)}
	}
	loc := Location{TrackedHead: tracked.String()}
	branchMode := rec.Branch != "" && rec.Branch != s.cfg.Branch
	fetch := []string{s.cfg.Branch}
	var branchHead plumbing.Hash
	if branchMode {
		if h, ok := refs[plumbing.NewBranchReferenceName(rec.Branch)]; ok {
			branchHead, loc.BranchHead = h, h.String()
			fetch = append(fetch, rec.Branch)
		}
	}
	if err := s.fetchBranches(ctx, fetch...); err != nil {
		return Location{}, err
	}
	switch {
	case s.inHistory(rec.SHA, tracked):
		loc.Merged = rec.SHA
		if branchMode {
			loc.Extra = s.mergedAlong(tracked, rec.SHA, branchHead)
		}
	case branchMode:
		loc.Merged, loc.MergedWithOthers = s.squashed(tracked, p, rec)
	default:
		// Direct mode, the commit gone from the branch's history: a rebase
		// of the branch made it again as another commit.
		loc.Merged, _ = s.squashed(tracked, p, rec)
	}
	if branchMode && !branchHead.IsZero() && branchHead.String() != rec.SHA {
		if s.inHistory(rec.SHA, branchHead) {
			loc.BranchExtra = s.commitsAbove(branchHead, s.ancestry(plumbing.NewHash(rec.SHA)))
		} else {
			loc.BranchHolder = s.holder(rec.Branch, branchHead)
		}
	}
	tip, err := s.repo.CommitObject(tracked)
	if err != nil {
		return Location{}, &Error{Op: opReadHead, Kind: ErrUnreachable, Err: err}
	}
	files, err := s.manifests(tip)
	if err != nil {
		return Location{}, err
	}
	target := manifestedit.RoleTarget(p.Namespace, p.Role)
	if loc.ManifestPath, loc.ManifestErr = manifestedit.Find(files.files, target); loc.ManifestErr == nil {
		loc.Manifest = files.content(loc.ManifestPath)
	}
	return loc, nil
}

// mergedAlong lists the commits that came into the tracked branch together
// with the recorded commit sha and that the operator did not write. It
// walks the tracked branch's first parents to the commit that brought sha
// in: a merge commit whose other parent has sha in its history (the
// branch as merged: whatever it holds besides sha's history is foreign),
// or sha itself (a fast-forward or Direct mode: then only a Proposal
// branch that still exists, was merged and carries commits above sha
// tells).
func (s *session) mergedAlong(tracked plumbing.Hash, sha string, branchHead plumbing.Hash) []ForeignCommit {
	c, err := s.repo.CommitObject(tracked)
	for i := 0; err == nil && i < s.w.opts.HistoryLimit && len(c.ParentHashes) > 0; i++ {
		if c.Hash.String() == sha {
			break
		}
		first := c.ParentHashes[0]
		if s.inHistory(sha, first) {
			c, err = s.repo.CommitObject(first)
			continue
		}
		// c brought sha in.
		for _, merged := range c.ParentHashes[1:] {
			if merged.String() == sha {
				return nil
			}
			if s.inHistory(sha, merged) {
				known := s.ancestry(first)
				maps.Copy(known, s.ancestry(plumbing.NewHash(sha)))
				return s.commitsAbove(merged, known)
			}
		}
		return nil
	}
	if !branchHead.IsZero() && branchHead.String() != sha && s.inHistory(branchHead.String(), tracked) && s.inHistory(sha, branchHead) {
		return s.commitsAbove(branchHead, s.ancestry(plumbing.NewHash(sha)))
	}
	return nil
}

// ancestry is h and its ancestors, at most HistoryLimit of them.
func (s *session) ancestry(h plumbing.Hash) map[plumbing.Hash]bool {
	out := map[plumbing.Hash]bool{}
	c, err := s.repo.CommitObject(h)
	if err != nil {
		return out
	}
	_ = object.NewCommitPreorderIter(c, nil, nil).ForEach(func(c *object.Commit) error {
		out[c.Hash] = true
		if len(out) >= s.w.opts.HistoryLimit {
			return storer.ErrStop
		}
		return nil
	})
	return out
}

// commitsAbove lists the commits reachable from head that are not in
// known, newest first, at most maxForeign.
func (s *session) commitsAbove(head plumbing.Hash, known map[plumbing.Hash]bool) []ForeignCommit {
	var out []ForeignCommit
	c, err := s.repo.CommitObject(head)
	if err != nil {
		return nil
	}
	_ = object.NewCommitPreorderIter(c, known, nil).ForEach(func(c *object.Commit) error {
		if known[c.Hash] {
			return nil
		}
		subject, _, _ := strings.Cut(c.Message, "\n")
		out = append(out, ForeignCommit{SHA: c.Hash.String(), Author: identityOf(c.Author), Subject: oneLine(subject)})
		if len(out) >= maxForeign {
			return storer.ErrStop
		}
		return nil
	})
	return out
}

// squashed looks, along the tracked branch's first parents, for the commit
// that made the Proposal's edit without the recorded commit (a squash or a
// rebase merge): a commit whose manifest is exactly the edit made again on
// its parent's manifest. exact when it changes nothing else; withOthers
// when it also changes other files.
func (s *session) squashed(tracked plumbing.Hash, p *Proposal, rec *Record) (exact, withOthers string) {
	target := manifestedit.RoleTarget(p.Namespace, p.Role)
	c, err := s.repo.CommitObject(tracked)
	for i := 0; err == nil && i < s.w.opts.HistoryLimit && len(c.ParentHashes) > 0; i++ {
		parent, perr := s.repo.CommitObject(c.ParentHashes[0])
		if perr != nil {
			return "", ""
		}
		if len(c.ParentHashes) == 1 {
			if match, same := s.sameEdit(parent, c, rec.Path, target, p); match {
				if same {
					return c.Hash.String(), ""
				}
				return "", c.Hash.String()
			}
		}
		c = parent
	}
	return "", ""
}

// sameEdit reports whether c's manifest at path is the Proposal's edit made
// on parent's (match), and whether c changes nothing else (sameTree).
func (s *session) sameEdit(parent, c *object.Commit, path string, target manifestedit.Target, p *Proposal) (match, sameTree bool) {
	after, err := c.File(path)
	if err != nil {
		return false, false
	}
	before, err := parent.File(path)
	if err != nil || before.Hash == after.Hash {
		return false, false
	}
	content, err := before.Contents()
	if err != nil {
		return false, false
	}
	edited, err := manifestedit.Edit([]byte(content), target, p.Changes)
	if err != nil || plumbing.ComputeHash(plumbing.BlobObject, edited) != after.Hash {
		return false, false
	}
	tree, err := replaceInTree(s.repo.Storer, parent.TreeHash, strings.Split(path, "/"), after.Hash)
	return true, err == nil && tree == c.TreeHash
}
