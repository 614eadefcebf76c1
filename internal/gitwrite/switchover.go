package gitwrite

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/manifestedit"
)

// CarriedProposal is one Proposal a switch-over commit carries.
type CarriedProposal struct {
	Namespace, Name, UID, Title string
}

// SwitchOver is the one commit that brings a Role's cluster-side promotions
// into Git when write-back is turned on for it.
type SwitchOver struct {
	Namespace, Role string
	// Proposals are the carried Proposals, in the order they were promoted;
	// each gets its Proposal and Proposal-UID trailers, so the exactly-once
	// search finds the commit by any of them.
	Proposals []CarriedProposal
	// Plan says, from the Role's spec as Git holds it at the head being
	// written, which changes the commit makes (none: Git carries them all).
	// Its error (e.g. a *switchover.ConflictError) is the Result's Err, and
	// nothing is committed. It runs again on a new head after a lost push.
	Plan func(git *v1alpha1.RoleSpec) ([]v1alpha1.Change, error)
	// Unknown are uids of promotions whose changes are unknown (their
	// Proposal was deleted): the result says which of them no trailer of a
	// commit the operator wrote names, so they may be missing from Git.
	Unknown []string
	// Known are commits the operator recorded (the Proposals' and earlier
	// switch-overs' status): with the commits it signed, they are the only
	// ones whose trailers count. A trailer anyone typed counts for nothing.
	Known []string
}

// SwitchOverResult is what became of a switch-over.
type SwitchOverResult struct {
	// Commit and Path are the commit on the branch and the manifest it
	// changed; empty when nothing needed committing or Err is set.
	Commit, Path string
	// CommittedAt is the commit's committer time.
	CommittedAt time.Time
	// Existing: every carried Proposal's UID is already in the trailers of
	// a commit the operator wrote among the last HistoryLimit (an earlier
	// call committed it).
	Existing bool
	// Changes are what the commit changed (nil when Git carried them all).
	Changes []v1alpha1.Change
	// UnknownNotInGit are the Unknown uids no commit's trailer names.
	UnknownNotInGit []string
	// Err is why nothing was committed for the Role: Plan's error, or
	// manifestedit's NotFoundError, AmbiguousError, NotPlainError.
	Err error
}

// SwitchOver makes one commit on the branch head that carries every field
// Plan returns, with one Proposal/Proposal-UID trailer pair per carried
// Proposal, and pushes it, never forced. The error is an *Error for what
// fails the whole repository; the Role's own outcome is in the result.
func (w *Writer) SwitchOver(ctx context.Context, cfg Config, so SwitchOver) (SwitchOverResult, error) {
	if cfg.Author.Name == "" || cfg.Author.Email == "" {
		cfg.Author = DefaultAuthor
	}
	var res SwitchOverResult
	err := w.run(ctx, cfg, nil, func(s *session) error {
		return w.retryRaces(ctx, func() (err error) {
			res, err = s.switchOver(ctx, &so)
			return err
		})
	})
	return res, err
}

func (s *session) switchOver(ctx context.Context, so *SwitchOver) (SwitchOverResult, error) {
	head, err := s.fetch(ctx)
	if err != nil {
		return SwitchOverResult{}, err
	}
	known := map[string]bool{}
	for _, sha := range so.Known {
		known[sha] = true
	}
	done, err := s.trustedTrailerCommits(head, known)
	if err != nil {
		return SwitchOverResult{}, err
	}
	var unknown []string
	for _, uid := range so.Unknown {
		if _, ok := done[uid]; !ok {
			unknown = append(unknown, uid)
		}
	}
	res, err := s.carry(ctx, so, head, done)
	res.UnknownNotInGit = unknown
	return res, err
}

func (s *session) carry(ctx context.Context, so *SwitchOver, head plumbing.Hash, done map[string]plumbing.Hash) (SwitchOverResult, error) {
	var pending []CarriedProposal
	var found *object.Commit
	for _, p := range so.Proposals {
		h, ok := done[p.UID]
		if !ok {
			pending = append(pending, p)
			continue
		}
		if c, err := s.repo.CommitObject(h); err == nil && (found == nil || c.Committer.When.After(found.Committer.When)) {
			found = c
		}
	}
	if len(pending) == 0 && found != nil {
		path, _ := s.changedPath(found.Hash)
		return SwitchOverResult{Commit: found.Hash.String(), Path: path, Existing: true, CommittedAt: found.Committer.When}, nil
	}
	tip, err := s.repo.CommitObject(head)
	if err != nil {
		return SwitchOverResult{}, &Error{Op: "read head", Kind: ErrUnreachable, Err: err}
	}
	files, err := s.manifests(tip)
	if err != nil {
		return SwitchOverResult{}, err
	}
	target := manifestedit.RoleTarget(so.Namespace, so.Role)
	file, err := manifestedit.Find(files.files, target)
	if err != nil {
		return SwitchOverResult{Err: err}, nil
	}
	role, err := manifestedit.Read(files.content(file), target)
	if err != nil {
		return SwitchOverResult{Err: withPath(err, file)}, nil
	}
	changes, err := so.Plan(&role.Spec)
	if err != nil || len(changes) == 0 {
		return SwitchOverResult{Err: err}, nil
	}
	edited, err := manifestedit.Edit(files.content(file), target, changes)
	if err != nil {
		return SwitchOverResult{Err: withPath(err, file)}, nil
	}
	rec := Record{Parent: head.String(), Path: file, Branch: s.cfg.Branch, Author: s.cfg.Author,
		When: s.w.opts.Now().UTC().Truncate(time.Second), Message: switchOverMessage(so, pending, changes)}
	if err := s.build(tip, edited, &rec, true); err != nil {
		return SwitchOverResult{}, err
	}
	if s.w.beforePush != nil {
		s.w.beforePush()
	}
	if err := s.pushTo(ctx, plumbing.NewHash(rec.SHA), s.cfg.Branch); err != nil {
		return SwitchOverResult{}, err
	}
	return SwitchOverResult{Commit: rec.SHA, Path: file, Changes: changes, CommittedAt: rec.When}, nil
}

// switchOverMessage names the Role, lists the changes and the Proposals
// carried, and ends with one Proposal and Proposal-UID trailer per
// Proposal, each value cut to one line.
func switchOverMessage(so *SwitchOver, carried []CarriedProposal, changes []v1alpha1.Change) string {
	var b strings.Builder
	b.WriteString("Switch Role " + safeLine(so.Role) + " over to Git write-back\n\n")
	b.WriteString("Carries " + strconv.Itoa(len(carried)) + " Proposal(s) promoted in the cluster before write-back:\n")
	for _, p := range carried {
		b.WriteString("- " + oneLine(p.Namespace+"/"+p.Name))
		if t := safeLine(p.Title); t != "" {
			b.WriteString(": " + t)
		}
		b.WriteString("\n")
	}
	b.WriteString("\nChanges:\n")
	for i := range changes {
		b.WriteString("- " + describeChange(&changes[i]) + "\n")
	}
	b.WriteString("\n")
	for _, p := range carried {
		b.WriteString(TrailerProposal + ": " + oneLine(p.Namespace+"/"+p.Name) + "\n")
		b.WriteString(TrailerProposalUID + ": " + oneLine(p.UID) + "\n")
	}
	return b.String()
}
