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

// Package sshgitserver serves bare Git repositories over SSH for tests: a
// golang.org/x/crypto/ssh server on 127.0.0.1 with its own ed25519 host key,
// that lets in one public key and, on `exec git-upload-pack '<path>'` or
// `git-receive-pack '<path>'`, runs git's own upload-pack or receive-pack
// against the repository. It serves the directory of an
// internal/testenv/gitserver Server, whose helpers seed and inspect the
// repositories. It needs the git binary (Debian package git) and is for
// tests only: production code must not import it.
package sshgitserver

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/gitserver"
)

// User is the login the URLs carry; the server checks the key, not the name.
const User = "git"

// Server is a running SSH Git server.
type Server struct {
	root, git string
	hostKey   ssh.Signer
	ln        net.Listener
	config    *ssh.ServerConfig

	// commands counts the git commands started: a refused host key must
	// leave it unchanged.
	commands atomic.Int64
	wg       sync.WaitGroup

	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// Identity is a client key pair: the private key as the Secret's
// `identity` holds it (OpenSSH PEM) and its public half.
type Identity struct {
	PrivateKeyPEM []byte
	PublicKey     ssh.PublicKey
}

// NewIdentity makes a fresh ed25519 key pair, encrypted with passphrase
// unless it is "".
func NewIdentity(tb gitserver.TB, passphrase string) Identity {
	tb.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatalf("generate key: %v", err)
	}
	var block *pem.Block
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, "sshgitserver test key")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "sshgitserver test key", []byte(passphrase))
	}
	if err != nil {
		tb.Fatalf("encode key: %v", err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		tb.Fatalf("public key: %v", err)
	}
	return Identity{PrivateKeyPEM: pem.EncodeToMemory(block), PublicKey: sshPub}
}

// NewHostKey makes an ed25519 signer, e.g. the key of a different server.
func NewHostKey(tb gitserver.TB) ssh.Signer {
	tb.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatalf("generate host key: %v", err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		tb.Fatalf("host key: %v", err)
	}
	return signer
}

// Start serves the repositories of repos on 127.0.0.1:0 to the holder of
// authorized, and stops when the test ends.
func Start(tb gitserver.TB, repos *gitserver.Server, authorized ssh.PublicKey) *Server {
	tb.Helper()
	s := &Server{root: repos.Dir(), git: gitserver.RequireGit(tb), hostKey: NewHostKey(tb), conns: map[net.Conn]struct{}{}}
	s.config = &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if string(key.Marshal()) == string(authorized.Marshal()) {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("key not authorized")
		},
	}
	s.config.AddHostKey(s.hostKey)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	s.ln = ln
	s.wg.Go(s.accept)
	tb.Cleanup(s.stop)
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the ssh:// clone URL of a repository, e.g.
// ssh://git@127.0.0.1:PORT/roles.git.
func (s *Server) URL(repo string) string {
	return "ssh://" + User + "@" + s.Addr() + "/" + repo + ".git"
}

// HostKey is the server's public host key.
func (s *Server) HostKey() ssh.PublicKey { return s.hostKey.PublicKey() }

// KnownHosts is a known_hosts line for this server's address and key.
func (s *Server) KnownHosts() string {
	return knownhosts.Line([]string{knownhosts.Normalize(s.Addr())}, s.HostKey()) + "\n"
}

// KnownHostsWith is a known_hosts line for this server's address with
// another key: what a Secret holds after the server's key changed, or when
// something else answers on the address.
func (s *Server) KnownHostsWith(key ssh.PublicKey) string {
	return knownhosts.Line([]string{knownhosts.Normalize(s.Addr())}, key) + "\n"
}

// Commands is how many git commands the server has started.
func (s *Server) Commands() int64 { return s.commands.Load() }

// stop closes the listener and every open connection, and waits for the
// commands to end.
func (s *Server) stop() {
	_ = s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) accept() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[conn] = struct{}{}
		s.mu.Unlock()
		s.wg.Go(func() { s.serveConn(conn) })
	}
}

func (s *Server) serveConn(conn net.Conn) {
	defer func() {
		_ = conn.Close()
		s.mu.Lock()
		delete(s.conns, conn)
		s.mu.Unlock()
	}()
	sconn, chans, reqs, err := ssh.NewServerConn(conn, s.config)
	if err != nil {
		return // a refused key, or a client that refused the host key
	}
	defer func() { _ = sconn.Close() }()
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, requests, err := nc.Accept()
		if err != nil {
			return
		}
		s.wg.Go(func() { s.serveSession(ch, requests) })
	}
}

// serveSession runs the one git command a session asks for; env requests
// (GIT_PROTOCOL) are refused, so git speaks protocol v0 as go-git does.
func (s *Server) serveSession(ch ssh.Channel, requests <-chan *ssh.Request) {
	defer func() { _ = ch.Close() }()
	for req := range requests {
		if req.Type != "exec" {
			_ = req.Reply(false, nil)
			continue
		}
		var payload struct{ Command string }
		if err := ssh.Unmarshal(req.Payload, &payload); err != nil {
			_ = req.Reply(false, nil)
			return
		}
		go ssh.DiscardRequests(requests)
		cmd, err := s.command(payload.Command)
		if err != nil {
			_ = req.Reply(true, nil)
			_, _ = fmt.Fprintf(ch.Stderr(), "%v\n", err)
			exit(ch, 128)
			return
		}
		_ = req.Reply(true, nil)
		exit(ch, s.run(cmd, ch))
		return
	}
}

// command maps "git-upload-pack '/roles.git'" (or "git upload-pack ...")
// to git's command on the repository under the root.
func (s *Server) command(line string) (*exec.Cmd, error) {
	line = strings.Replace(line, "git ", "git-", 1)
	service, arg, ok := strings.Cut(line, " ")
	if !ok || (service != "git-upload-pack" && service != "git-receive-pack") {
		return nil, fmt.Errorf("fatal: %q is not a git command this server runs", line)
	}
	arg = strings.Trim(strings.TrimSpace(arg), "'")
	dir := filepath.Join(s.root, filepath.Clean("/"+arg))
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("fatal: '%s' does not appear to be a git repository", arg)
	}
	cmd := exec.Command(s.git, strings.TrimPrefix(service, "git-"), dir)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	return cmd, nil
}

// run connects the command to the channel and returns its exit status.
// Stdin is copied by hand: the client keeps its side open until it has
// the exit status, so waiting for that copy would never end.
func (s *Server) run(cmd *exec.Cmd, ch ssh.Channel) uint32 {
	s.commands.Add(1)
	cmd.Stdout, cmd.Stderr = ch, ch.Stderr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 128
	}
	if err := cmd.Start(); err != nil {
		return 128
	}
	go func() {
		_, _ = io.Copy(stdin, ch)
		_ = stdin.Close()
	}()
	if err := cmd.Wait(); err != nil {
		if exitErr, ok := errors.AsType[*exec.ExitError](err); ok {
			return uint32(exitErr.ExitCode()) //nolint:gosec // exit codes are 0-255
		}
		return 128
	}
	return 0
}

func exit(ch ssh.Channel, status uint32) {
	payload := make([]byte, 4)
	binary.BigEndian.PutUint32(payload, status)
	_, _ = ch.SendRequest("exit-status", false, payload)
}
