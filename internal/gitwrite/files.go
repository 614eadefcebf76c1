package gitwrite

import (
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
