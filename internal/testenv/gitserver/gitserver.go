/*
Copyright 2026.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Package gitserver runs git's own smart-HTTP server for tests: `git
// http-backend` behind net/http/cgi on 127.0.0.1, with basic auth (REMOTE_USER
// set after it, so pushes are allowed), bare repositories seeded with files,
// a stop and a restart on the same port (the server down), and a password
// that can change. It needs the git binary (Debian package git) and is for
// tests only: production code must not import it.
package gitserver

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// User is the account the server accepts, with the password it starts with.
const (
	User            = "skillmatrix"
	InitialPassword = "s3cret"
)

// Server is a running (or stopped) smart-HTTP Git server.
type Server struct {
	root, git string
	addr      string

	mu       sync.Mutex
	password string
	srv      *http.Server
}

// TB is the part of testing.TB the server needs, so Ginkgo specs can pass
// GinkgoT() too.
type TB interface {
	Helper()
	TempDir() string
	Cleanup(func())
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}

// RequireGit returns the git binary, skipping the test when it is missing,
// or failing it under CI=true: CI must install the Debian package git.
func RequireGit(tb TB) string {
	tb.Helper()
	path, err := exec.LookPath("git")
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("git is required for the Git write-back tests: install the Debian package git (apt-get install -y git)")
	}
	tb.Skipf("git not installed (Debian package git); skipping the Git write-back tests")
	return ""
}

// Start serves repositories from a new temporary directory on 127.0.0.1:0
// and stops when the test ends.
func Start(tb TB) *Server {
	tb.Helper()
	return StartAt(tb, "127.0.0.1:0")
}

// StartAt is Start on a given address (the walkthrough's hack/gitserve).
func StartAt(tb TB, addr string) *Server {
	tb.Helper()
	s := &Server{root: tb.TempDir(), git: RequireGit(tb), addr: addr, password: InitialPassword}
	if err := s.Restart(); err != nil {
		tb.Fatalf("start git server: %v", err)
	}
	tb.Cleanup(s.Stop)
	return s
}

// URL is the clone URL of a repository, e.g. http://127.0.0.1:PORT/roles.git.
func (s *Server) URL(repo string) string { return "http://" + s.addr + "/" + repo + ".git" }

// Dir is the directory holding the bare repositories (<name>.git), for a
// second transport serving the same repositories (internal/testenv/sshgitserver).
func (s *Server) Dir() string { return s.root }

// SetPassword changes the password the server accepts from now on.
func (s *Server) SetPassword(p string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.password = p
}

// Stop closes the listener and every connection: the server is down.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		_ = s.srv.Close()
		s.srv = nil
	}
}

// Restart listens again on the same address (the first start picks a port).
func (s *Server) Restart() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return nil
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return err
	}
	s.addr = ln.Addr().String()
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve)}
	go func(srv *http.Server) { _ = srv.Serve(ln) }(s.srv)
	return nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	s.mu.Lock()
	want := s.password
	s.mu.Unlock()
	if !ok || user != User || pass != want {
		w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
		http.Error(w, "authentication required", http.StatusUnauthorized)
		return
	}
	h := &cgi.Handler{
		Path: s.git,
		Args: []string{"http-backend"},
		Env:  []string{"GIT_PROJECT_ROOT=" + s.root, "GIT_HTTP_EXPORT_ALL=1", "REMOTE_USER=" + user},
		// http-backend explains a 404 on stderr; the client sees the status.
		Stderr: io.Discard,
	}
	h.ServeHTTP(w, r)
}

// CreateRepo makes a bare repository whose branch holds files (path to
// content) in one commit.
func (s *Server) CreateRepo(name, branch string, files map[string]string) error {
	bare := filepath.Join(s.root, name+".git")
	if _, err := s.run("", "init", "--bare", "--initial-branch="+branch, bare); err != nil {
		return err
	}
	return s.commitFiles(name, branch, files, "seed the repository", true)
}

// Commit pushes a commit that writes files, as a person would, straight to
// the bare repository (not through the HTTP server).
func (s *Server) Commit(repo, branch string, files map[string]string, message string) error {
	return s.commitFiles(repo, branch, files, message, false)
}

// CommitOn pushes a commit that writes files on top of branch from to
// branch to (created when missing), as a person with push rights to to
// would: e.g. a branch squatted before the operator pushes it, or a commit
// added on top of the operator's.
func (s *Server) CommitOn(repo, from, to string, files map[string]string, message string) error {
	return s.commitTo(repo, from, to, files, message, false)
}

func (s *Server) commitFiles(repo, branch string, files map[string]string, message string, first bool) error {
	return s.commitTo(repo, branch, branch, files, message, first)
}

func (s *Server) commitTo(repo, from, branch string, files map[string]string, message string, first bool) error {
	work, err := os.MkdirTemp("", "gitserver-work-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(work) }()
	bare := filepath.Join(s.root, repo+".git")
	if first {
		_, err = s.run(work, "init", "--initial-branch="+branch, ".")
	} else {
		_, err = s.run(work, "clone", "--branch", from, bare, ".")
	}
	if err != nil {
		return err
	}
	for p, content := range files {
		full := filepath.Join(work, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			return err
		}
	}
	for _, args := range [][]string{{"add", "-A"}, {"commit", "-q", "-m", message}, {"push", "-q", bare, "HEAD:refs/heads/" + branch}} {
		if _, err := s.run(work, args...); err != nil {
			return err
		}
	}
	return nil
}

// Git runs a git command in a bare repository with extra environment
// variables (e.g. GNUPGHOME), and returns its combined output: tests verify
// signatures with git verify-commit this way.
func (s *Server) Git(repo string, env []string, args ...string) (string, error) {
	cmd := exec.Command(s.git, args...)
	cmd.Dir = filepath.Join(s.root, repo+".git")
	cmd.Env = append(append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// Show runs git show in a repository, e.g. Show("roles", "main:roles/role.yaml").
func (s *Server) Show(repo string, args ...string) (string, error) {
	return s.run(filepath.Join(s.root, repo+".git"), append([]string{"show"}, args...)...)
}

// Log is the branch's commits, newest first, each as "<hash> <full message>".
func (s *Server) Log(repo, branch string) ([]string, error) {
	out, err := s.run(filepath.Join(s.root, repo+".git"), "log", "--format=%H %B%x00", branch)
	if err != nil {
		return nil, err
	}
	var commits []string
	for c := range strings.SplitSeq(out, "\x00") {
		if c = strings.TrimSpace(c); c != "" {
			commits = append(commits, c)
		}
	}
	return commits, nil
}

func (s *Server) run(dir string, args ...string) (string, error) {
	cmd := exec.Command(s.git, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=Human", "GIT_AUTHOR_EMAIL=human@example.com",
		"GIT_COMMITTER_NAME=Human", "GIT_COMMITTER_EMAIL=human@example.com",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, ok := errors.AsType[*exec.ExitError](err); ok {
			return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, out)
		}
		return "", err
	}
	return string(out), nil
}

// MergeStyle is how Merge brings a branch into another, as a forge's merge
// button would.
type MergeStyle int

// Merge styles.
const (
	// MergeCommit records a merge commit with both heads as parents.
	MergeCommit MergeStyle = iota
	// MergeSquash makes one new commit on top of into, with message as its
	// whole message: the branch's commits are not ancestors of it.
	MergeSquash
)

// Merge merges branch into into in the bare repository, as a person
// would, and, when edit is not nil, changes files in the same commit (a
// merge request edited before merging). It does not delete branch.
func (s *Server) Merge(repo, into, branch string, style MergeStyle, message string, edit map[string]string) error {
	work, err := os.MkdirTemp("", "gitserver-merge-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(work) }()
	bare := filepath.Join(s.root, repo+".git")
	if _, err := s.run(work, "clone", "-q", "--branch", into, bare, "."); err != nil {
		return err
	}
	merge := []string{"merge", "-q", "--no-ff", "--no-commit", "origin/" + branch}
	if style == MergeSquash {
		merge = []string{"merge", "-q", "--squash", "origin/" + branch}
	}
	if _, err := s.run(work, merge...); err != nil {
		return err
	}
	for p, content := range edit {
		if err := os.WriteFile(filepath.Join(work, filepath.FromSlash(p)), []byte(content), 0o644); err != nil {
			return err
		}
	}
	for _, args := range [][]string{{"add", "-A"}, {"commit", "-q", "-m", message}, {"push", "-q", bare, "HEAD:refs/heads/" + into}} {
		if _, err := s.run(work, args...); err != nil {
			return err
		}
	}
	return nil
}

// DeleteBranch deletes a branch of the bare repository.
func (s *Server) DeleteBranch(repo, branch string) error {
	_, err := s.run(filepath.Join(s.root, repo+".git"), "branch", "-D", branch)
	return err
}

// Branches lists the branches of the bare repository.
func (s *Server) Branches(repo string) ([]string, error) {
	out, err := s.run(filepath.Join(s.root, repo+".git"), "for-each-ref", "--format=%(refname:short)", "refs/heads")
	if err != nil {
		return nil, err
	}
	return strings.Fields(out), nil
}

// ProcessTB is the TB of a command rather than a test (hack/gitserve,
// hack/bench): temporary directories removed by Close, and the first
// failure kept in Err instead of ending anything.
type ProcessTB struct {
	Err      error
	cleanups []func()
}

// Helper does nothing: there is no test to mark.
func (*ProcessTB) Helper() {}

// TempDir is a new temporary directory, removed by Close.
func (t *ProcessTB) TempDir() string {
	dir, err := os.MkdirTemp("", "gitserver-")
	if err != nil {
		t.fail(err)
		return os.TempDir()
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// Cleanup registers f for Close.
func (t *ProcessTB) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }

// Fatalf keeps the failure in Err.
func (t *ProcessTB) Fatalf(format string, args ...any) { t.fail(fmt.Errorf(format, args...)) }

// Skipf keeps the reason in Err: a command cannot skip.
func (t *ProcessTB) Skipf(format string, args ...any) { t.fail(fmt.Errorf(format, args...)) }

func (t *ProcessTB) fail(err error) {
	if t.Err == nil {
		t.Err = err
	}
}

// Close runs the cleanups, the last registered first.
func (t *ProcessTB) Close() {
	for _, f := range slices.Backward(t.cleanups) {
		f()
	}
	t.cleanups = nil
}
