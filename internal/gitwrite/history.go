package gitwrite

import (
	"cmp"
	"context"
	"errors"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/history"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/manifestedit"
)

// HistoryQuery asks which commits of the tracked branch changed one Role
// and name Proposals in their trailer block.
type HistoryQuery struct {
	Namespace, Role string
	// Known are commits the operator recorded (switch-over records, the
	// Proposals' status): with the ones its keys signed, the only commits
	// it trusts.
	Known []string
}

// NamedProposal is a Proposal a commit's trailer block names.
type NamedProposal struct {
	// Name is namespace/name, as the Proposal trailer writes it.
	Name string
	UID  string
}

// HistoryCommit is a commit of the tracked branch that changed the Role's
// manifest and names Proposals in its trailer block.
type HistoryCommit struct {
	SHA string
	// When is the committer time.
	When time.Time
	// Subject is the first line of the message, on one line.
	Subject string
	// Proposals are the Proposal and Proposal-UID trailer pairs.
	Proposals []NamedProposal
	// ProposedBy is the first Proposed-by trailer.
	ProposedBy string
	// Path is the manifest it changed.
	Path string
	// Changes are what it changed in the Role's skills (history.Diff).
	Changes []v1alpha1.Change
	// Trusted: the operator wrote it (a recorded SHA, or a signature that
	// verifies against the operator's keys). Only a trusted commit's
	// trailers mean anything; the others are listed so that the caller can
	// say that something in Git names the Role's Proposals which it cannot
	// believe.
	Trusted bool
}

// History lists, oldest first, the commits among the last HistoryLimit of
// the tracked branch (every parent followed, so a merged Proposal branch
// counts) that have one parent, name a Proposal-UID in their trailer block
// and change the Role's spec in a manifest under the path: what a Role
// that lost its status was given by Git write-back. Each says whether the
// operator wrote it (Trusted). A commit a forge made (a squash or rebase
// merge) is not the operator's: without its signature only the recorded
// commits count, and signing is what lets the history outlive the
// Proposals. The error is an *Error for what fails the whole repository.
func (w *Writer) History(ctx context.Context, cfg Config, q HistoryQuery) ([]HistoryCommit, error) {
	var out []HistoryCommit
	err := w.run(ctx, cfg, nil, func(s *session) (err error) {
		out, err = s.history(ctx, &q)
		return err
	})
	return out, err
}

func (s *session) history(ctx context.Context, q *HistoryQuery) ([]HistoryCommit, error) {
	head, err := s.fetch(ctx)
	if err != nil {
		return nil, err
	}
	tip, err := s.repo.CommitObject(head)
	if err != nil {
		return nil, &Error{Op: opReadHistory, Kind: ErrUnreachable, Err: err}
	}
	known := map[string]bool{}
	for _, sha := range q.Known {
		known[sha] = true
	}
	target := manifestedit.RoleTarget(q.Namespace, q.Role)
	var out []HistoryCommit
	n := 0
	err = object.NewCommitPreorderIter(tip, nil, nil).ForEach(func(c *object.Commit) error {
		if n++; n > s.w.opts.HistoryLimit {
			return storer.ErrStop
		}
		if len(c.ParentHashes) != 1 {
			return nil
		}
		trailers := TrailerBlock(c.Message)
		hc := HistoryCommit{SHA: c.Hash.String(), When: c.Committer.When.UTC()}
		for _, t := range trailers {
			switch t.Key {
			case TrailerProposal:
				hc.Proposals = append(hc.Proposals, NamedProposal{Name: t.Value})
			case TrailerProposalUID:
				if k := len(hc.Proposals) - 1; k >= 0 && hc.Proposals[k].UID == "" {
					hc.Proposals[k].UID = t.Value
				} else {
					hc.Proposals = append(hc.Proposals, NamedProposal{UID: t.Value})
				}
			case TrailerProposedBy:
				if hc.ProposedBy == "" {
					hc.ProposedBy = t.Value
				}
			}
		}
		hc.Proposals = slices.DeleteFunc(hc.Proposals, func(p NamedProposal) bool { return p.UID == "" })
		if len(hc.Proposals) == 0 {
			return nil
		}
		if hc.Path, hc.Changes = s.roleChange(c, target); len(hc.Changes) == 0 {
			return nil
		}
		subject, _, _ := strings.Cut(c.Message, "\n")
		hc.Subject = oneLine(subject)
		hc.Trusted = s.trusted(c, known)
		out = append(out, hc)
		return nil
	})
	if err != nil && !errors.Is(err, storer.ErrStop) {
		return nil, &Error{Op: opReadHistory, Kind: ErrUnreachable, Err: err}
	}
	// The walk runs newest first along every parent; landing order is
	// commit time, then the walk's order reversed.
	slices.Reverse(out)
	slices.SortStableFunc(out, func(a, b HistoryCommit) int { return cmp.Compare(a.When.Unix(), b.When.Unix()) })
	return out, nil
}

// roleChange is the manifest under the path in which c changed the Role's
// spec, and what it changed in its skills; no changes when it did not.
func (s *session) roleChange(c *object.Commit, target manifestedit.Target) (string, []v1alpha1.Change) {
	parent, err := c.Parent(0)
	if err != nil {
		return "", nil
	}
	from, err := parent.Tree()
	if err != nil {
		return "", nil
	}
	to, err := c.Tree()
	if err != nil {
		return "", nil
	}
	diffs, err := object.DiffTree(from, to)
	if err != nil {
		return "", nil
	}
	root := s.scanRoot()
	for _, d := range diffs {
		name := d.To.Name
		if name == "" || !manifestedit.IsManifestPath(name) || (root != "" && !strings.HasPrefix(name, root+"/")) {
			continue
		}
		after := roleIn(c, name, target)
		if after == nil {
			continue
		}
		before := roleIn(parent, path.Clean(cmp.Or(d.From.Name, name)), target)
		if changes := history.Diff(before, after); len(changes) > 0 {
			return name, changes
		}
	}
	return "", nil
}

// roleIn is the Role's spec in the file at c, nil when it holds none.
func roleIn(c *object.Commit, name string, target manifestedit.Target) *v1alpha1.RoleSpec {
	f, err := c.File(name)
	if err != nil || f.Size > maxManifestSize {
		return nil
	}
	content, err := f.Contents()
	if err != nil {
		return nil
	}
	role, err := manifestedit.Read([]byte(content), target)
	if err != nil {
		return nil
	}
	return &role.Spec
}

// ReadRole returns the Role's spec as the manifest at path holds it in
// commit sha of the tracked branch (fetched when the cache lacks it): what
// a commit gave the sync to apply.
func (w *Writer) ReadRole(ctx context.Context, cfg Config, sha, file, namespace, role string) (*v1alpha1.RoleSpec, error) {
	var out *v1alpha1.RoleSpec
	err := w.run(ctx, cfg, nil, func(s *session) error {
		c, err := s.repo.CommitObject(plumbing.NewHash(sha))
		if err != nil {
			if _, ferr := s.fetch(ctx); ferr != nil {
				return ferr
			}
			if c, err = s.repo.CommitObject(plumbing.NewHash(sha)); err != nil {
				return &Error{Op: opReadHistory, Kind: ErrUnreachable, Err: err}
			}
		}
		if out = roleIn(c, file, manifestedit.RoleTarget(namespace, role)); out == nil {
			return &manifestedit.NotFoundError{Target: manifestedit.RoleTarget(namespace, role)}
		}
		return nil
	})
	return out, err
}
