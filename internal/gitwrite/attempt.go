package gitwrite

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/manifestedit"
)

// maxManifestSize skips files too large to be a Role's manifest (a Role of
// 500 skills over 12 levels is well under 1 MiB).
const maxManifestSize = 8 << 20

const opWriteCommit = "write commit"

// attempt is one round: fetch, commit each Proposal on the head, push.
func (s *session) attempt(ctx context.Context, proposals []Proposal) ([]Result, error) {
	head, err := s.fetch(ctx)
	if err != nil {
		return nil, err
	}
	done, err := s.committed(head)
	if err != nil {
		return nil, err
	}
	if err := s.committedOnPushBranch(ctx, proposals, done); err != nil {
		return nil, err
	}
	tip, err := s.repo.CommitObject(head)
	if err != nil {
		return nil, &Error{Op: "read head", Kind: ErrUnreachable, Err: err}
	}
	files, err := s.manifests(tip)
	if err != nil {
		return nil, err
	}
	results := make([]Result, len(proposals))
	for i := range proposals {
		p := &proposals[i]
		results[i].UID = p.UID
		if h, ok := done[p.UID]; ok {
			results[i].Commit, results[i].Existing = h.String(), true
			results[i].Path, _ = s.changedPath(h)
			continue
		}
		next, file, err := s.commit(tip, files, p)
		if err != nil {
			if _, repoLevel := errors.AsType[*Error](err); repoLevel {
				return nil, err
			}
			results[i].Err = err
			continue
		}
		tip, results[i].Commit, results[i].Path = next, next.Hash.String(), file
	}
	if tip.Hash != head {
		if s.w.beforePush != nil {
			s.w.beforePush()
		}
		if err := s.push(ctx, tip.Hash); err != nil {
			return nil, err
		}
	}
	return results, nil
}

// committed maps the Proposal-UID trailers of the last HistoryLimit commits
// of the branch to their commits (the newest one per uid).
func (s *session) committed(head plumbing.Hash) (map[string]plumbing.Hash, error) {
	return s.trailerCommits(head, func(msg string) []string { return trailerValues(msg, TrailerProposalUID) })
}

// tree is the manifests under the configured path at the current tip.
type tree struct {
	files []manifestedit.File
}

func (t *tree) content(p string) []byte {
	for _, f := range t.files {
		if f.Path == p {
			return f.Content
		}
	}
	return nil
}

func (t *tree) set(p string, b []byte) {
	for i := range t.files {
		if t.files[i].Path == p {
			t.files[i].Content = b
		}
	}
}

func (s *session) scanRoot() string {
	return strings.Trim(path.Clean("/"+s.cfg.Path), "/")
}

// manifests reads the YAML and kustomization files under the path; a
// path the branch lacks has none, so every Role is not found.
func (s *session) manifests(c *object.Commit) (*tree, error) {
	root, err := c.Tree()
	if err != nil {
		return nil, &Error{Op: "read tree", Kind: ErrUnreachable, Err: err}
	}
	prefix := s.scanRoot()
	if prefix != "" {
		if root, err = root.Tree(prefix); errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrEntryNotFound) {
			return &tree{}, nil
		} else if err != nil {
			return nil, &Error{Op: "read tree", Kind: ErrUnreachable, Err: err}
		}
	}
	t := &tree{}
	err = root.Files().ForEach(func(f *object.File) error {
		if (f.Mode != filemode.Regular && f.Mode != filemode.Executable) || !manifestedit.IsManifestPath(f.Name) || f.Size > maxManifestSize {
			return nil
		}
		b, err := f.Contents()
		if err != nil {
			return err
		}
		t.files = append(t.files, manifestedit.File{Path: path.Join(prefix, f.Name), Content: []byte(b)})
		return nil
	})
	if err != nil {
		return nil, &Error{Op: "read files", Kind: ErrUnreachable, Err: err}
	}
	return t, nil
}

// commit makes the Proposal's commit on tip, or returns why it cannot
// (manifestedit's errors), leaving tip as it is.
func (s *session) commit(tip *object.Commit, files *tree, p *Proposal) (*object.Commit, string, error) {
	target := manifestedit.RoleTarget(p.Namespace, p.Role)
	file, err := manifestedit.Find(files.files, target)
	if err != nil {
		return nil, "", err
	}
	edited, err := manifestedit.Edit(files.content(file), target, p.Changes)
	if err != nil {
		return nil, "", withPath(err, file)
	}
	msg, err := message(s.tmpl, p, file)
	if err != nil {
		return nil, "", err
	}
	next, err := s.writeCommit(tip, files, file, edited, msg)
	if err != nil {
		return nil, "", err
	}
	return next, file, nil
}

// writeCommit makes a commit on tip that replaces file with edited, and
// records the new content in files.
func (s *session) writeCommit(tip *object.Commit, files *tree, file string, edited []byte, msg string) (*object.Commit, error) {
	st := s.repo.Storer
	blob, err := writeBlob(st, edited)
	if err != nil {
		return nil, &Error{Op: "write blob", Kind: ErrConfig, Err: err}
	}
	treeHash, err := replaceInTree(st, tip.TreeHash, strings.Split(file, "/"), blob)
	if err != nil {
		return nil, &Error{Op: "write tree", Kind: ErrConfig, Err: err}
	}
	sig := object.Signature{Name: s.cfg.Author.Name, Email: s.cfg.Author.Email, When: s.w.opts.Now()}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: treeHash, ParentHashes: []plumbing.Hash{tip.Hash}}
	obj := st.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return nil, &Error{Op: opWriteCommit, Kind: ErrConfig, Err: err}
	}
	h, err := st.SetEncodedObject(obj)
	if err != nil {
		return nil, &Error{Op: opWriteCommit, Kind: ErrConfig, Err: err}
	}
	files.set(file, edited)
	next, err := s.repo.CommitObject(h)
	if err != nil {
		return nil, &Error{Op: opWriteCommit, Kind: ErrConfig, Err: err}
	}
	return next, nil
}

// withPath names the file in a NotPlainError from Edit.
func withPath(err error, file string) error {
	if np, ok := errors.AsType[*manifestedit.NotPlainError](err); ok && np.Path == "" {
		np.Path = file
	}
	return err
}

func writeBlob(st storer.EncodedObjectStorer, b []byte) (plumbing.Hash, error) {
	obj := st.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(b); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return st.SetEncodedObject(obj)
}

// replaceInTree writes new trees from the changed file up to the root;
// entries keep their order and modes.
func replaceInTree(st storer.EncodedObjectStorer, treeHash plumbing.Hash, parts []string, blob plumbing.Hash) (plumbing.Hash, error) {
	t, err := object.GetTree(st, treeHash)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	entries := slices.Clone(t.Entries)
	i := slices.IndexFunc(entries, func(e object.TreeEntry) bool { return e.Name == parts[0] })
	if i < 0 {
		return plumbing.ZeroHash, fmt.Errorf("no entry %q in the tree", parts[0])
	}
	if len(parts) == 1 {
		entries[i].Hash = blob
	} else if entries[i].Hash, err = replaceInTree(st, entries[i].Hash, parts[1:], blob); err != nil {
		return plumbing.ZeroHash, err
	}
	obj := st.NewEncodedObject()
	if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return st.SetEncodedObject(obj)
}

// changedPath is the file a commit found by its trailer changed.
func (s *session) changedPath(h plumbing.Hash) (string, error) {
	c, err := s.repo.CommitObject(h)
	if err != nil {
		return "", err
	}
	to, err := c.Tree()
	if err != nil {
		return "", err
	}
	from := &object.Tree{}
	if parent, err := c.Parent(0); err == nil {
		if from, err = parent.Tree(); err != nil {
			return "", err
		}
	}
	changes, err := object.DiffTree(from, to)
	if err != nil || len(changes) == 0 {
		return "", err
	}
	return changes[0].To.Name, nil
}
