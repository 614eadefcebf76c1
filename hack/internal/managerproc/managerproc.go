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

// Package managerproc runs the operator's manager as a process of its own,
// as it runs in a cluster, for the bench and the demo: started against a
// kubeconfig with plain-HTTP metrics and probes on loopback addresses, waited
// on until its readiness probe answers, stopped with SIGTERM and then
// SIGKILL. It also picks the free loopback ports those addresses need. It
// imports nothing of the operator: it drives the manager through its flags.
package managerproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// Config says how to run the manager.
type Config struct {
	// Bin is the manager executable.
	Bin string
	// Args come first on the command line (a subcommand, tuning flags);
	// the kubeconfig, metrics and probe flags follow.
	Args []string
	// Kubeconfig is passed as --kubeconfig and KUBECONFIG.
	Kubeconfig string
	// MetricsAddr and ProbeAddr are host:port addresses with a real port
	// (see FreeAddress): the readiness poll must know where to ask.
	MetricsAddr, ProbeAddr string
	// Env is added to this process's environment.
	Env []string
	// LogPath receives the manager's stdout and stderr.
	LogPath string
	// Plain runs a program that is no manager (oauth2-proxy): Args alone,
	// no kubeconfig, metrics or probe flags; ProbeAddr and ReadyPath still
	// say where WaitReady polls.
	Plain bool
	// ReadyPath is polled on ProbeAddr by WaitReady; /readyz when empty.
	ReadyPath string
	// SysProcAttr, when set, is the child's (a process group, a
	// parent-death signal). A Pdeathsig fires when the OS thread that
	// started the child ends, so Start starts it from a goroutine that
	// keeps its thread until the child has exited.
	SysProcAttr *syscall.SysProcAttr
}

// Process is a running manager.
type Process struct {
	cmd     *exec.Cmd
	config  Config
	exited  chan struct{}
	exitErr error
}

// ErrExited means the manager exited while it was waited on.
var ErrExited = errors.New("the manager exited unexpectedly")

// Start starts the manager. It returns once the process runs; WaitReady
// waits until it serves.
func Start(c Config) (*Process, error) {
	if _, _, err := net.SplitHostPort(c.ProbeAddr); err != nil {
		return nil, fmt.Errorf("probe address %q: %w", c.ProbeAddr, err)
	}
	logFile, err := os.Create(c.LogPath)
	if err != nil {
		return nil, err
	}
	args := append([]string{}, c.Args...)
	env := append(os.Environ(), c.Env...)
	if !c.Plain {
		args = append(args,
			"--kubeconfig="+c.Kubeconfig,
			"--metrics-bind-address="+c.MetricsAddr,
			"--metrics-secure=false",
			"--health-probe-bind-address="+c.ProbeAddr,
		)
		env = append(append(os.Environ(), "KUBECONFIG="+c.Kubeconfig), c.Env...)
	}
	cmd := exec.Command(c.Bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = c.SysProcAttr
	p := &Process{cmd: cmd, config: c, exited: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // see Config.SysProcAttr; never unlocked, so the thread ends with the goroutine
		defer close(p.exited)
		defer func() { _ = logFile.Close() }()
		if err := cmd.Start(); err != nil {
			p.exitErr = err
			started <- err
			return
		}
		started <- nil
		p.exitErr = cmd.Wait()
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("starting %s: %w", c.Bin, err)
	}
	return p, nil
}

// Pid is the manager's process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Exited is closed when the manager has exited.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// MetricsURL is where the manager serves its metrics.
func (p *Process) MetricsURL() string { return "http://" + p.config.MetricsAddr + "/metrics" }

// LogPath is the manager's log.
func (p *Process) LogPath() string { return p.config.LogPath }

// WaitReady polls the manager's readiness probe until it answers 200. It
// fails with ErrExited, and the tail of the log, if the manager exits first,
// and with the tail of the log after timeout.
func (p *Process) WaitReady(ctx context.Context, timeout time.Duration) error {
	path := p.config.ReadyPath
	if path == "" {
		path = "/readyz"
	}
	url := "http://" + p.config.ProbeAddr + path
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if ready(ctx, url) {
			return nil
		}
		select {
		case <-p.exited:
			return p.Died()
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("the manager did not become ready at %s within %s%s", url, timeout, p.Tail(TailLines))
			}
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func ready(ctx context.Context, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Died describes the manager's exit, with the tail of its log; it wraps
// ErrExited. Call it once Exited is closed.
func (p *Process) Died() error {
	return fmt.Errorf("%w (%v)%s", ErrExited, p.exitErr, p.Tail(TailLines))
}

// Stop ends the manager with SIGTERM, as the kubelet does, and SIGKILL after
// timeout; it reports the kill.
func (p *Process) Stop(timeout time.Duration) error {
	select {
	case <-p.exited:
		return nil
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-p.exited:
		return nil
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("the manager did not stop within %s and was killed", timeout)
	}
}

// TailLines is how much of the log the errors of this package show.
const TailLines = 40

// Tail returns the last n lines of the manager's log, framed for an error message.
func (p *Process) Tail(n int) string {
	shown := p.config.LogPath
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, shown); err == nil && !strings.HasPrefix(rel, "..") {
			shown = rel
		}
	}
	return "\n--- last lines of " + shown + " ---\n" + tailFile(p.config.LogPath, n) + "--- end ---"
}

func tailFile(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read: %v)\n", err)
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n"))) + "\n"
}

// FreeAddress resolves an address whose port is 0 ("127.0.0.1:0") to one
// with a port that is free now, and returns any other address as it is.
// The port is only free until someone else takes it; the manager binds it
// a moment later, and the kernel spreads :0 binds over the ephemeral range,
// so another process getting the same port in between is unlikely.
func FreeAddress(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("address %q: %w", addr, err)
	}
	if port != "0" {
		return addr, nil
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", fmt.Errorf("finding a free port on %s: %w", host, err)
	}
	free := l.Addr().String()
	return free, l.Close()
}
