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

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/manifestedit"
)

// ErrBranchTaken: Branch mode found the Proposal's branch on the remote
// without the Proposal's commit on it (someone else's branch of that
// name). Nothing is pushed over it.
var ErrBranchTaken = errors.New("git branch exists without the Proposal's commit")

// Operations named in an *Error.
const (
	opCheckBranch = "check branch"
	opReadHead    = "read head"
	opReadHistory = "read history"
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
// component that starts with "." or ends with ".lock", no leading "-" or
// trailing "/" or ".".
func validBranchName(b string) bool {
	if b == "" || len(b) > 255 || strings.ContainsAny(b, " ~^:?*[\\\x7f") ||
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
		if strings.HasPrefix(part, ".") || strings.HasSuffix(part, ".lock") {
			return false
		}
	}
	return true
}

// BranchName is the branch of one Proposal in Branch mode: prefix and the
// Proposal's name, or "" when that is not a valid branch name.
func BranchName(prefix, proposal string) string {
	b := prefix + proposal
	if !validBranchName(b) {
		return ""
	}
	return b
}

// committedOnPushBranch adds to done the Proposals already committed on
// the push branch (Branch mode after a crash between push and status), and
// refuses a push branch that exists without any of them: its history
// starts from the tracked branch, so other Proposals' trailers prove
// nothing.
func (s *session) committedOnPushBranch(ctx context.Context, proposals []Proposal, done map[string]plumbing.Hash) error {
	if s.cfg.PushBranch == "" {
		return nil
	}
	refs, err := s.listRemote(ctx)
	if err != nil {
		return err
	}
	head, ok := refs[plumbing.NewBranchReferenceName(s.cfg.PushBranch)]
	if !ok {
		return nil
	}
	if err := s.fetchBranches(ctx, s.cfg.PushBranch); err != nil {
		return err
	}
	onBranch, err := s.committed(head)
	if err != nil {
		return err
	}
	found := false
	for i := range proposals {
		if h, ok := onBranch[proposals[i].UID]; ok {
			found = true
			if _, seen := done[proposals[i].UID]; !seen {
				done[proposals[i].UID] = h
			}
		}
	}
	if !found {
		return &Error{Op: opCheckBranch, Kind: ErrBranchTaken, Err: fmt.Errorf("branch %q is at %s", s.cfg.PushBranch, head)}
	}
	return nil
}

// listRemote is the remote's branches and their heads (ls-remote).
func (s *session) listRemote(ctx context.Context) (map[plumbing.ReferenceName]plumbing.Hash, error) {
	remote, err := s.repo.Remote(git.DefaultRemoteName)
	if err != nil {
		return nil, &Error{Op: "list branches", Kind: ErrConfig, Err: err}
	}
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: s.auth})
	if err != nil {
		return nil, classify("list branches", err)
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

// trailerCommits maps the Proposal UIDs that uids reads from the messages
// of the last HistoryLimit commits from head (every parent followed, so a
// merge commit's second parent counts) to the newest commit naming them.
func (s *session) trailerCommits(head plumbing.Hash, uids func(msg string) []string) (map[string]plumbing.Hash, error) {
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
		for _, uid := range uids(c.Message) {
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

// Location is where a committed Proposal is in Git.
type Location struct {
	// TrackedHead is the tracked branch's head.
	TrackedHead string
	// Merged is the commit of the tracked branch's history that carries the
	// Proposal: one whose message names its Proposal-UID (a merge, a
	// squash or a rebase keeps it), or the recorded commit itself when it
	// is an ancestor of the head. "" when the change has not reached the
	// tracked branch.
	Merged string
	// BranchHead is the head of the Proposal's own branch, "" when the
	// remote has no such branch (deleted) or none was asked for.
	BranchHead string
	// ManifestPath and Manifest are the Role's manifest at the tracked head
	// (what the sync applies, merged or not: a squash that dropped the
	// trailer still shows there); ManifestErr says why it was not found
	// instead (manifestedit's NotFound and Ambiguous errors).
	ManifestPath string
	Manifest     []byte
	ManifestErr  error
}

// Locate finds where the Proposal p, committed as commit (its SHA, on
// branch when that is not the tracked branch), stands: whether the change
// reached the tracked branch, whether its own branch still exists, and
// the Role's manifest at the tracked head to compare with. The error is an
// *Error for what fails the whole repository, as for Write.
func (w *Writer) Locate(ctx context.Context, cfg Config, p Proposal, commit, branch string) (Location, error) {
	auth, err := cfg.auth()
	if err != nil {
		return Location{}, err
	}
	lock := w.lock(cfg.URL)
	lock.Lock()
	defer lock.Unlock()
	repo, err := w.open(cfg.URL)
	if err != nil {
		return Location{}, err
	}
	s := &session{w: w, cfg: cfg, auth: auth, repo: repo}
	refs, err := s.listRemote(ctx)
	if err != nil {
		return Location{}, err
	}
	tracked, ok := refs[plumbing.NewBranchReferenceName(cfg.Branch)]
	if !ok {
		return Location{}, &Error{Op: "list branches", Kind: ErrBranchNotFound, Err: fmt.Errorf("no branch %q", cfg.Branch)}
	}
	loc := Location{TrackedHead: tracked.String()}
	if branch != "" && branch != cfg.Branch {
		if h, ok := refs[plumbing.NewBranchReferenceName(branch)]; ok {
			loc.BranchHead = h.String()
		}
	}
	if err := s.fetchBranches(ctx, cfg.Branch); err != nil {
		return Location{}, err
	}
	if loc.Merged, err = s.merged(tracked, p.UID, commit); err != nil {
		return Location{}, err
	}
	tip, err := repo.CommitObject(tracked)
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

// merged is the commit of head's history that carries the Proposal uid, or
// "". A forge's squash merge or rebase makes new commits, so the trailer
// is looked for in every line of each message (a squash lists the
// branch's messages in its body); the recorded commit being an ancestor
// covers a fast-forward merge whose message a rewrite dropped.
func (s *session) merged(head plumbing.Hash, uid, commit string) (string, error) {
	found, err := s.trailerCommits(head, func(msg string) []string {
		if mentionsProposalUID(msg, uid) {
			return []string{uid}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if h, ok := found[uid]; ok {
		return h.String(), nil
	}
	if !plumbing.IsHash(commit) {
		return "", nil
	}
	ours, err := s.repo.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		// Not in the cache: never fetched from the tracked branch.
		return "", nil
	}
	tip, err := s.repo.CommitObject(head)
	if err != nil {
		return "", &Error{Op: opReadHead, Kind: ErrUnreachable, Err: err}
	}
	if ours.Hash == tip.Hash {
		return commit, nil
	}
	ancestor, err := ours.IsAncestor(tip)
	if err != nil {
		return "", &Error{Op: opReadHistory, Kind: ErrUnreachable, Err: err}
	}
	if ancestor {
		return commit, nil
	}
	return "", nil
}

// mentionsProposalUID reports whether a line of msg is the Proposal-UID
// trailer of uid, possibly indented or bulleted as a squash merge lists
// the squashed messages.
func mentionsProposalUID(msg, uid string) bool {
	if uid == "" {
		return false
	}
	for line := range strings.SplitSeq(strings.ReplaceAll(msg, "\r\n", "\n"), "\n") {
		line = strings.TrimLeft(strings.TrimSpace(line), "*-+> ")
		if v, ok := strings.CutPrefix(line, TrailerProposalUID+":"); ok && strings.TrimSpace(v) == uid {
			return true
		}
	}
	return false
}
