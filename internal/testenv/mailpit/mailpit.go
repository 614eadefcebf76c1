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

// Package mailpit runs mailpit (github.com/axllent/mailpit, installed by
// hack/mailpit.sh), a real SMTP server with an HTTP API, on loopback ports
// of its own, and reads what it received: the notification tests, the
// benchmark and `make demo` receive the operator's email with it.
package mailpit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Server is a running mailpit.
type Server struct {
	// SMTPHost and SMTPPort receive mail (no TLS; any credentials).
	SMTPHost string
	SMTPPort int
	// URL is its web page and API.
	URL string
	cmd *exec.Cmd
}

// Binary finds the mailpit binary: $MAILPIT, else what hack/mailpit.sh (at
// root) installs or has cached.
func Binary(ctx context.Context, root string) (string, error) {
	if b := os.Getenv("MAILPIT"); b != "" {
		return b, nil
	}
	out, err := exec.CommandContext(ctx, filepath.Join(root, "hack", "mailpit.sh")).Output()
	if err != nil {
		return "", fmt.Errorf("hack/mailpit.sh: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Start runs binary on free loopback ports, its log to logw, until ctx ends
// or Stop; it returns once the API answers.
func Start(ctx context.Context, binary string, logw io.Writer) (*Server, error) {
	smtpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	httpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{SMTPHost: "127.0.0.1", SMTPPort: smtpPort, URL: "http://127.0.0.1:" + strconv.Itoa(httpPort)}
	s.cmd = exec.CommandContext(ctx, binary,
		"--smtp", "127.0.0.1:"+strconv.Itoa(smtpPort), "--listen", "127.0.0.1:"+strconv.Itoa(httpPort),
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--max", "0", "--quiet")
	s.cmd.Stdout, s.cmd.Stderr = logw, logw
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting mailpit: %w", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := s.Messages(ctx); err == nil {
			return s, nil
		} else if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("mailpit did not answer on %s: %w", s.URL, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop ends mailpit.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Address is a mailbox as mailpit shows it.
type Address struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// Summary is a received message as mailpit lists it.
type Summary struct {
	ID        string    `json:"ID"`
	MessageID string    `json:"MessageID"`
	From      Address   `json:"From"`
	To        []Address `json:"To"`
	Subject   string    `json:"Subject"`
	Created   time.Time `json:"Created"`
}

// Message is a received message with its text and HTML.
type Message struct {
	Summary
	Text string `json:"Text"`
	HTML string `json:"HTML"`
}

// Messages lists every message received, newest first.
func (s *Server) Messages(ctx context.Context) ([]Summary, error) {
	var out []Summary
	for start := 0; ; {
		var page struct {
			Total    int       `json:"total"`
			Messages []Summary `json:"messages"`
		}
		if err := s.get(ctx, "/api/v1/messages?limit=500&start="+strconv.Itoa(start), &page); err != nil {
			return nil, err
		}
		out = append(out, page.Messages...)
		start += len(page.Messages)
		if len(page.Messages) == 0 || start >= page.Total {
			return out, nil
		}
	}
}

// Message reads one message.
func (s *Server) Message(ctx context.Context, id string) (*Message, error) {
	var m Message
	return &m, s.get(ctx, "/api/v1/message/"+url.PathEscape(id), &m)
}

// Headers reads one message's headers as received.
func (s *Server) Headers(ctx context.Context, id string) (map[string][]string, error) {
	var h map[string][]string
	return h, s.get(ctx, "/api/v1/message/"+url.PathEscape(id)+"/headers", &h)
}

// DeleteAll empties the mailbox.
func (s *Server) DeleteAll(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, s.URL+"/api/v1/messages", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("DELETE /api/v1/messages: HTTP %d", resp.StatusCode)
	}
	return nil
}

func (s *Server) get(ctx context.Context, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		return errors.Join(fmt.Errorf("GET %s: decoding", path), err)
	}
	return nil
}
