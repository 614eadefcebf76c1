package gitwrite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/template"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/manifestedit"
)

// ErrStale: a recorded commit can no longer be pushed as it is (Direct
// mode: the branch moved past its parent; either mode: its parent is gone,
// or it cannot be rebuilt byte for byte), and it is provably not on the
// branch. Write then prepares a new commit, records it, and pushes that.
var ErrStale = errors.New("the recorded commit can no longer be pushed")

// Record is the write-ahead record of a Proposal's commit. The caller
// stores it (in the Proposal's status) before anything is pushed, so that
// after a crash exactly that commit is pushed, or found pushed, and no
// other commit ever counts as the Proposal's because of what its message
// says. It holds what rebuilding the commit byte for byte needs when the
// cache is gone: the parent, the edited manifest's path and blob (the edit
// is made again from the parent's file and checked against it), the tree,
// the identity and time, the message and the signature.
type Record struct {
	// SHA is the commit.
	SHA string
	// Parent is the head of the tracked branch it was made on.
	Parent string
	// Tree and Blob are the commit's tree and the edited manifest's blob.
	Tree, Blob string
	// Path is the manifest it changes, from the repository root.
	Path string
	// Branch is where it is pushed: the tracked branch (Direct mode) or
	// the Proposal's own (Branch mode).
	Branch string
	// Author is the author and committer.
	Author Identity
	// When is the author and committer time, whole seconds, UTC.
	When time.Time
	// Message is the whole commit message; Signature the armored gpgsig
	// header ("" unsigned).
	Message, Signature string
}

// Result is what became of one Proposal's Write.
type Result struct {
	// Record is the commit that carries the Proposal (zero when Err is set).
	Record Record
	// Existing: the commit was already on the branch (pushed before a
	// crash, or a signed commit of the operator's found there); nothing was
	// pushed now.
	Existing bool
	// Err is why the Proposal was not committed: a
	// *manifestedit.ConflictError (the file no longer holds a `from`),
	// NotFoundError, AmbiguousError or NotPlainError. It is permanent for
	// this head.
	Err error
}

// Write commits the Proposal exactly once. With prior, the record a
// previous call left (in the Proposal's status), it pushes that commit, or
// finds it pushed; it never makes a second one while prior can still be
// pushed. Without prior, or when prior is stale (ErrStale), it builds the
// commit on the tracked branch's head, hands its Record to record, and
// pushes only once record returned nil: the record is written ahead. A push
// that loses to someone else's is prepared again on the new head (every
// `from` re-checked), recorded again, and pushed, at most MaxAttempts
// times; never forced. The error is an *Error for what fails the whole
// repository, or record's own error (nothing was pushed).
func (w *Writer) Write(ctx context.Context, cfg Config, p Proposal, prior *Record, record func(Record) error) (Result, error) {
	tmpl, err := w.checkConfig(&cfg)
	if err != nil {
		return Result{}, err
	}
	var out Result
	err = w.run(ctx, cfg, tmpl, func(s *session) (err error) {
		out, err = s.write(ctx, p, prior, record)
		return err
	})
	return out, err
}

// checkConfig validates cfg, fills in the default author and returns the
// message template.
func (w *Writer) checkConfig(cfg *Config) (*template.Template, error) {
	if err := checkPushBranch(*cfg); err != nil {
		return nil, err
	}
	tmpl, err := cfg.template()
	if err != nil {
		return nil, err
	}
	if cfg.Author.Name == "" || cfg.Author.Email == "" {
		cfg.Author = DefaultAuthor
	}
	return tmpl, nil
}

func (s *session) write(ctx context.Context, p Proposal, prior *Record, record func(Record) error) (Result, error) {
	for attempts := 1; ; attempts++ {
		if prior == nil {
			rec, adopted, err := s.prepare(ctx, &p)
			if err != nil {
				if _, repoLevel := errors.AsType[*Error](err); repoLevel {
					return Result{}, err
				}
				return Result{Err: err}, nil
			}
			if err := record(rec); err != nil {
				return Result{}, err
			}
			if adopted {
				return Result{Record: rec, Existing: true}, nil
			}
			prior = &rec
		}
		existing, err := s.publish(ctx, &p, prior)
		if err == nil {
			return Result{Record: *prior, Existing: existing}, nil
		}
		if !errors.Is(err, ErrStale) || ctx.Err() != nil {
			return Result{}, err
		}
		if attempts >= s.w.opts.MaxAttempts {
			return Result{}, &Error{Op: "push", Kind: ErrNonFastForward, Err: err}
		}
		prior = nil
	}
}

// prepare builds the Proposal's commit on the tracked branch's head, signed
// when signing is configured, and stores it in the cache only. In Branch
// mode a Proposal branch that already exists is someone else's
// (*BranchTakenError), unless a commit the operator signed for this
// Proposal is on it; in Direct mode such a signed commit in the history is
// adopted too (adopted: nothing to push). Nothing else that names the
// Proposal is ever taken for its commit.
func (s *session) prepare(ctx context.Context, p *Proposal) (Record, bool, error) {
	head, err := s.fetch(ctx)
	if err != nil {
		return Record{}, false, err
	}
	s.fetched = head
	searchFrom := head
	if s.cfg.PushBranch != "" {
		refs, err := s.listRemote(ctx)
		if err != nil {
			return Record{}, false, err
		}
		if taken, ok := refs[plumbing.NewBranchReferenceName(s.cfg.PushBranch)]; ok {
			if err := s.fetchBranches(ctx, s.cfg.PushBranch); err != nil {
				return Record{}, false, err
			}
			if rec, ok, err := s.signedCommitOf(taken, p.UID); err != nil || ok {
				return rec, ok, err
			}
			return Record{}, false, s.branchTaken(s.cfg.PushBranch, taken)
		}
	}
	if rec, ok, err := s.signedCommitOf(searchFrom, p.UID); err != nil || ok {
		return rec, ok, err
	}
	tip, err := s.repo.CommitObject(head)
	if err != nil {
		return Record{}, false, &Error{Op: opReadHead, Kind: ErrUnreachable, Err: err}
	}
	files, err := s.manifests(tip)
	if err != nil {
		return Record{}, false, err
	}
	target := manifestedit.RoleTarget(p.Namespace, p.Role)
	file, err := manifestedit.Find(files.files, target)
	if err != nil {
		return Record{}, false, err
	}
	edited, err := manifestedit.Edit(files.content(file), target, p.Changes)
	if err != nil {
		return Record{}, false, withPath(err, file)
	}
	msg, err := message(s.tmpl, p, file)
	if err != nil {
		return Record{}, false, err
	}
	rec := Record{Parent: head.String(), Path: file, Branch: s.pushTarget(), Author: s.cfg.Author,
		When: s.w.opts.Now().UTC().Truncate(time.Second), Message: msg}
	if err := s.build(tip, edited, &rec, true); err != nil {
		return Record{}, false, err
	}
	return rec, false, nil
}

// build writes the blob, tree and commit of rec onto parent, with edited as
// the manifest's content, signing the commit when sign is set (otherwise
// rec.Signature is used as it is). It fills in Blob, Tree and SHA.
func (s *session) build(parent *object.Commit, edited []byte, rec *Record, sign bool) error {
	st := s.repo.Storer
	blob, err := writeBlob(st, edited)
	if err != nil {
		return &Error{Op: "write blob", Kind: ErrConfig, Err: err}
	}
	tree, err := replaceInTree(st, parent.TreeHash, strings.Split(rec.Path, "/"), blob)
	if err != nil {
		return &Error{Op: "write tree", Kind: ErrConfig, Err: err}
	}
	sig := object.Signature{Name: rec.Author.Name, Email: rec.Author.Email, When: rec.When}
	c := &object.Commit{Author: sig, Committer: sig, Message: rec.Message, TreeHash: tree, ParentHashes: []plumbing.Hash{parent.Hash}}
	if sign && s.cfg.Signing != nil {
		payload, err := commitPayload(c)
		if err != nil {
			return &Error{Op: opWriteCommit, Kind: ErrConfig, Err: err}
		}
		if rec.Signature, err = s.cfg.Signing.sign(payload); err != nil {
			return err
		}
	}
	c.PGPSignature = rec.Signature
	obj := st.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return &Error{Op: opWriteCommit, Kind: ErrConfig, Err: err}
	}
	h, err := st.SetEncodedObject(obj)
	if err != nil {
		return &Error{Op: opWriteCommit, Kind: ErrConfig, Err: err}
	}
	rec.Blob, rec.Tree, rec.SHA = blob.String(), tree.String(), h.String()
	return nil
}

// commitPayload is what a commit's signature is made over: the commit
// without its gpgsig header.
func commitPayload(c *object.Commit) ([]byte, error) {
	obj := &plumbing.MemoryObject{}
	if err := c.EncodeWithoutSignature(obj); err != nil {
		return nil, err
	}
	r, err := obj.Reader()
	if err != nil {
		return nil, err
	}
	defer func() { _ = r.Close() }()
	return io.ReadAll(r)
}

// publish pushes the recorded commit, or finds it already pushed
// (existing). ErrStale means it can never be pushed as it is and is not on
// the branch; a *BranchTakenError that the Proposal's branch is someone
// else's.
func (s *session) publish(ctx context.Context, p *Proposal, rec *Record) (existing bool, err error) {
	// Right after prepare the head it fetched is the one to push on: a
	// second fetch would only cost a round trip (a push on a moved branch
	// is refused anyway).
	head := s.fetched
	s.fetched = plumbing.ZeroHash
	if head.IsZero() {
		if head, err = s.fetch(ctx); err != nil {
			return false, err
		}
	}
	if s.inHistory(rec.SHA, head) {
		return true, nil
	}
	if rec.Branch == s.cfg.Branch {
		if head.String() != rec.Parent {
			return false, fmt.Errorf("%w: branch %s moved from %.12s to %.12s since commit %.12s was recorded", ErrStale, s.cfg.Branch, rec.Parent, head, rec.SHA)
		}
		if err := s.ensure(p, rec); err != nil {
			return false, err
		}
		return s.pushRecorded(ctx, rec, head)
	}
	refs, err := s.listRemote(ctx)
	if err != nil {
		return false, err
	}
	if b, ok := refs[plumbing.NewBranchReferenceName(rec.Branch)]; ok {
		return s.onProposalBranch(ctx, rec, b)
	}
	if err := s.ensure(p, rec); err != nil {
		return false, err
	}
	existing, err = s.pushRecorded(ctx, rec, head)
	if errors.Is(err, ErrNonFastForward) {
		// Created meanwhile: ours, or someone else's.
		if refs, err = s.listRemote(ctx); err != nil {
			return false, err
		}
		if b, ok := refs[plumbing.NewBranchReferenceName(rec.Branch)]; ok {
			return s.onProposalBranch(ctx, rec, b)
		}
	}
	return existing, err
}

// onProposalBranch judges an existing Proposal branch whose head is b: the
// recorded commit is its head or under it (pushed before a crash; commits
// others added on top are Locate's to report), or it is someone else's.
func (s *session) onProposalBranch(ctx context.Context, rec *Record, b plumbing.Hash) (bool, error) {
	if b.String() == rec.SHA {
		return true, nil
	}
	if err := s.fetchBranches(ctx, rec.Branch); err != nil {
		return false, err
	}
	if s.inHistory(rec.SHA, b) {
		return true, nil
	}
	return false, s.branchTaken(rec.Branch, b)
}

// pushRecorded pushes the recorded commit to its branch, never forced. A
// refused push is looked at again: the commit may have landed after all
// (a lost answer); otherwise the branch moved and the record is stale.
func (s *session) pushRecorded(ctx context.Context, rec *Record, trackedHead plumbing.Hash) (bool, error) {
	if s.w.beforePush != nil {
		s.w.beforePush()
	}
	err := s.pushTo(ctx, plumbing.NewHash(rec.SHA), rec.Branch)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, ErrNonFastForward) {
		return false, err
	}
	if rec.Branch != s.cfg.Branch {
		return false, err
	}
	head, ferr := s.fetch(ctx)
	if ferr != nil {
		return false, ferr
	}
	if s.inHistory(rec.SHA, head) {
		return true, nil
	}
	return false, fmt.Errorf("%w: branch %s moved from %.12s to %.12s during the push: %w", ErrStale, rec.Branch, trackedHead, head, err)
}

// inHistory reports whether commit is head or one of its ancestors.
func (s *session) inHistory(commit string, head plumbing.Hash) bool {
	if !plumbing.IsHash(commit) || head.IsZero() {
		return false
	}
	if commit == head.String() {
		return true
	}
	c, err := s.repo.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		return false
	}
	tip, err := s.repo.CommitObject(head)
	if err != nil {
		return false
	}
	ok, err := c.IsAncestor(tip)
	return err == nil && ok
}

// ensure makes sure the recorded commit is in the cache, rebuilding it from
// the record (the cache is lost with the Pod) and checking that the rebuilt
// commit is byte for byte the recorded one. Anything that does not match
// makes the record stale: it cannot be pushed, and since it is not on the
// branch nothing was pushed of it.
func (s *session) ensure(p *Proposal, rec *Record) error {
	if _, err := s.repo.CommitObject(plumbing.NewHash(rec.SHA)); err == nil {
		return nil
	}
	stale := func(format string, args ...any) error {
		return fmt.Errorf("%w: commit %.12s cannot be rebuilt: %s", ErrStale, rec.SHA, fmt.Sprintf(format, args...))
	}
	if !plumbing.IsHash(rec.Parent) {
		return stale("no parent recorded")
	}
	parent, err := s.repo.CommitObject(plumbing.NewHash(rec.Parent))
	if err != nil {
		return stale("its parent %.12s is not in the branch's history", rec.Parent)
	}
	f, err := parent.File(rec.Path)
	if err != nil {
		return stale("%s is not in its parent", rec.Path)
	}
	content, err := f.Contents()
	if err != nil {
		return &Error{Op: "read files", Kind: ErrUnreachable, Err: err}
	}
	target := manifestedit.RoleTarget(p.Namespace, p.Role)
	edited, err := manifestedit.Edit([]byte(content), target, p.Changes)
	if err != nil {
		return stale("the edit no longer applies: %v", err)
	}
	rebuilt := *rec
	if err := s.build(parent, edited, &rebuilt, false); err != nil {
		return err
	}
	if rebuilt.Blob != rec.Blob || rebuilt.Tree != rec.Tree || rebuilt.SHA != rec.SHA {
		return stale("rebuilt as %.12s (blob %.12s, tree %.12s), recorded %.12s (blob %.12s, tree %.12s)",
			rebuilt.SHA, rebuilt.Blob, rebuilt.Tree, rec.SHA, rec.Blob, rec.Tree)
	}
	return nil
}

// signedCommitOf finds, in the last HistoryLimit commits from head, a commit
// the operator signed (its signature verifies against the trusted keys)
// whose trailer block names uid, and returns its Record. Without signing
// nothing is ever found: an unsigned commit that names a Proposal may be
// anyone's.
func (s *session) signedCommitOf(head plumbing.Hash, uid string) (Record, bool, error) {
	if s.cfg.Signing == nil || s.cfg.Signing.Trusted.Len() == 0 {
		return Record{}, false, nil
	}
	found, err := s.trustedTrailerCommits(head, nil)
	if err != nil {
		return Record{}, false, err
	}
	h, ok := found[uid]
	if !ok {
		return Record{}, false, nil
	}
	c, err := s.repo.CommitObject(h)
	if err != nil || len(c.ParentHashes) != 1 {
		return Record{}, false, nil
	}
	path, err := s.changedPath(h)
	if err != nil || path == "" {
		return Record{}, false, nil
	}
	f, err := c.File(path)
	if err != nil {
		return Record{}, false, nil
	}
	branch := s.cfg.Branch
	if s.cfg.PushBranch != "" {
		branch = s.cfg.PushBranch
	}
	return Record{
		SHA: c.Hash.String(), Parent: c.ParentHashes[0].String(), Tree: c.TreeHash.String(), Blob: f.Hash.String(),
		Path: path, Branch: branch, Author: Identity{Name: c.Author.Name, Email: c.Author.Email},
		When: c.Author.When.UTC(), Message: c.Message, Signature: c.PGPSignature,
	}, true, nil
}

// Trusted reports whether the operator wrote c: its hash is one the
// operator recorded (known), or its signature verifies against the keys
// the operator signs with or still trusts.
func (s *session) trusted(c *object.Commit, known map[string]bool) bool {
	if known[c.Hash.String()] {
		return true
	}
	if s.cfg.Signing == nil || c.PGPSignature == "" {
		return false
	}
	payload, err := commitPayload(c)
	if err != nil {
		return false
	}
	return s.cfg.Signing.Trusted.Verify(payload, c.PGPSignature)
}

// trustedTrailerCommits maps the Proposal UIDs in the trailer blocks of the
// commits the operator wrote (trusted), among the last HistoryLimit commits
// from head, to the newest such commit. Every other commit's message is
// not read at all.
func (s *session) trustedTrailerCommits(head plumbing.Hash, known map[string]bool) (map[string]plumbing.Hash, error) {
	return s.trailerCommits(head, func(c *object.Commit) []string {
		if !s.trusted(c, known) {
			return nil
		}
		return trailerValues(c.Message, TrailerProposalUID)
	})
}

// BranchTakenError says who holds a branch the operator would push to: it
// exists and is not the operator's (its head is not the recorded commit,
// nor a descendant of it). Nothing is pushed over it.
type BranchTakenError struct {
	Branch string
	// Head is the branch's head commit; Author and Committer as Git reports
	// them ("Name <email>").
	Head, Author, Committer string
}

func (e *BranchTakenError) Error() string {
	return fmt.Sprintf("branch %s exists and is not the operator's: its head %s was written by %s (committed by %s)",
		e.Branch, e.Head, e.Author, e.Committer)
}

// Unwrap makes it ErrBranchTaken.
func (e *BranchTakenError) Unwrap() error { return ErrBranchTaken }

func (s *session) branchTaken(branch string, head plumbing.Hash) error {
	return &Error{Op: opCheckBranch, Kind: ErrBranchTaken, Err: s.holder(branch, head)}
}

// holder says who wrote the head of a branch that is not the operator's.
func (s *session) holder(branch string, head plumbing.Hash) *BranchTakenError {
	taken := &BranchTakenError{Branch: branch, Head: head.String()}
	if c, err := s.repo.CommitObject(head); err == nil {
		taken.Author, taken.Committer = identityOf(c.Author), identityOf(c.Committer)
	}
	return taken
}

// identityOf is "Name <email>", as git log shows it, on one line.
func identityOf(sig object.Signature) string {
	return oneLine(sig.Name) + " <" + oneLine(sig.Email) + ">"
}
