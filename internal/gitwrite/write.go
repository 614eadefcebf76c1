package gitwrite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"text/template"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// Options tune a Writer; the zero value uses the defaults.
type Options struct {
	// MaxAttempts bounds fetch-commit-push rounds when pushes lose to
	// someone else's (default 5).
	MaxAttempts int
	// HistoryLimit bounds the commits read from a branch head: for the
	// trailers of the operator's signed commits, and for the commit that
	// squash-merged a Proposal (default 1000). Finding a recorded commit
	// is not bounded (ancestry).
	HistoryLimit int
	// Now stamps the commits (default time.Now).
	Now func() time.Time
	// BeforePush is a test seam (the operator sets it from
	// controller.Seams only): it runs after a commit is made and recorded
	// and before it is pushed (tests push a human commit there).
	BeforePush func()
}

// Writer commits Proposals to Git. It keeps one bare clone per repository
// URL under its cache directory and fetches into it incrementally, so a
// write costs one fetch of what is new and one push. Writes to one
// repository take turns; a Writer is safe for concurrent use.
type Writer struct {
	dir  string
	opts Options

	mu    sync.Mutex
	repos map[string]*sync.Mutex

	// beforePush, when set (tests), runs after the commits are made and
	// before they are pushed.
	beforePush func()
}

// NewWriter keeps its clones under cacheDir (created if missing). One Writer
// per directory: writes take turns inside a Writer, not across processes.
func NewWriter(cacheDir string, opts Options) *Writer {
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
	}
	if opts.HistoryLimit <= 0 {
		opts.HistoryLimit = 1000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Writer{dir: cacheDir, opts: opts, repos: map[string]*sync.Mutex{}, beforePush: opts.BeforePush}
}

// run takes the repository's turn, opens its cached clone and runs fn on a
// session.
func (w *Writer) run(ctx context.Context, cfg Config, tmpl *template.Template, fn func(*session) error) error {
	auth, err := cfg.auth()
	if err != nil {
		return err
	}
	lock := w.lock(cfg.URL)
	lock.Lock()
	defer lock.Unlock()
	repo, err := w.open(cfg.URL)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return &Error{Op: "start", Kind: ErrUnreachable, Err: err}
	}
	return fn(&session{w: w, cfg: cfg, auth: auth, tmpl: tmpl, repo: repo})
}

// retryRaces runs attempt until it does not lose a push race, at most
// MaxAttempts times.
func (w *Writer) retryRaces(ctx context.Context, attempt func() error) error {
	var lastErr error
	for range w.opts.MaxAttempts {
		err := attempt()
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrNonFastForward) || ctx.Err() != nil {
			return err
		}
		lastErr = err
	}
	return lastErr
}

func (w *Writer) lock(url string) *sync.Mutex {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.repos[url] == nil {
		w.repos[url] = &sync.Mutex{}
	}
	return w.repos[url]
}

// open returns the cached bare clone of url, starting a new one when it is
// missing or unreadable (a crash mid-write leaves at worst objects nobody
// references; refs are only ever moved to pushed commits).
func (w *Writer) open(url string) (*git.Repository, error) {
	sum := sha256.Sum256([]byte(url))
	dir := filepath.Join(w.dir, hex.EncodeToString(sum[:8]))
	if repo, err := git.PlainOpen(dir); err == nil {
		if r, err := repo.Remote(git.DefaultRemoteName); err == nil && slices.Equal(r.Config().URLs, []string{url}) {
			return repo, nil
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, &Error{Op: "reset cache", Kind: ErrConfig, Err: err}
	}
	repo, err := git.PlainInit(dir, true)
	if err != nil {
		return nil, &Error{Op: "init cache", Kind: ErrConfig, Err: err}
	}
	if _, err := repo.CreateRemote(&config.RemoteConfig{Name: git.DefaultRemoteName, URLs: []string{url}}); err != nil {
		return nil, &Error{Op: "init cache", Kind: ErrConfig, Err: err}
	}
	return repo, nil
}

// session is one Write: the repository and what every attempt needs.
type session struct {
	w    *Writer
	cfg  Config
	auth transport.AuthMethod
	tmpl *template.Template
	repo *git.Repository
	// fetched is the tracked head prepare just fetched, for the publish
	// that follows it.
	fetched plumbing.Hash
}

func (s *session) remoteRef() plumbing.ReferenceName {
	return plumbing.NewRemoteReferenceName(git.DefaultRemoteName, s.cfg.Branch)
}

// fetch brings the branch head into the cache and returns it.
func (s *session) fetch(ctx context.Context) (plumbing.Hash, error) {
	spec := config.RefSpec("+" + plumbing.NewBranchReferenceName(s.cfg.Branch).String() + ":" + s.remoteRef().String())
	err := s.repo.FetchContext(ctx, &git.FetchOptions{
		RemoteName: git.DefaultRemoteName, RefSpecs: []config.RefSpec{spec}, Auth: s.auth, Tags: git.NoTags,
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return plumbing.ZeroHash, classify("fetch", err)
	}
	ref, err := s.repo.Reference(s.remoteRef(), true)
	if err != nil {
		return plumbing.ZeroHash, &Error{Op: "fetch", Kind: ErrBranchNotFound, Err: err}
	}
	return ref.Hash(), nil
}

// pushTo sends tip to target, never forced: the remote refuses it unless
// it fast-forwards (or creates the branch).
func (s *session) pushTo(ctx context.Context, tip plumbing.Hash, target string) error {
	spec := config.RefSpec(tip.String() + ":" + plumbing.NewBranchReferenceName(target).String())
	err := s.repo.PushContext(ctx, &git.PushOptions{
		RemoteName: git.DefaultRemoteName, RefSpecs: []config.RefSpec{spec}, Auth: s.auth,
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return classify("push", err)
	}
	return s.repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewRemoteReferenceName(git.DefaultRemoteName, target), tip))
}
