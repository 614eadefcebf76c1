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

package main

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
	"syscall"
	"time"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

const (
	// adminKubeconfig is the admin's kubeconfig in the demo directory.
	adminKubeconfig = "kubeconfig"
	// managerLog receives the manager's stdout and stderr.
	managerLog = "manager.log"
	// managerStopTimeout bounds the manager's graceful shutdown.
	managerStopTimeout = 15 * time.Second
	// logTailLines is how much of the manager log a failure shows.
	logTailLines = 40
)

// envtestAssets returns the directory holding kube-apiserver and etcd, found
// exactly as the test suites find them. The script's progress goes to the
// user's terminal: the first run may build both binaries from source.
func envtestAssets(ctx context.Context, root string) (string, error) {
	return testenv.AssetsDir(ctx, root, os.Stderr)
}

// buildManager builds the manager binary from ./cmd.
func buildManager(ctx context.Context, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build -o %s ./cmd: %w", out, err)
	}
	return nil
}

// managerProcess is the manager running as a process of its own.
type managerProcess struct {
	cmd     *exec.Cmd
	logPath string
	// exited is closed when the process has exited; err is then its result.
	exited chan struct{}
	err    error
}

// startManager starts the manager against the admin kubeconfig of the demo
// directory, with plain-HTTP metrics and probes on the given addresses and
// its output in manager.log.
func startManager(bin, dir, metricsAddr, probeAddr string) (*managerProcess, error) {
	logPath := filepath.Join(dir, managerLog)
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	kubeconfig := filepath.Join(dir, adminKubeconfig)
	abs, err := filepath.Abs(bin)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(abs,
		// The flag carries the demo directory into the command line, which
		// is how a later run recognises a manager this one could not stop.
		"--kubeconfig="+kubeconfig,
		"--metrics-bind-address="+metricsAddr,
		"--metrics-secure=false",
		"--health-probe-bind-address="+probeAddr,
		"--zap-encoder=console",
	)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// A process group of its own: Ctrl-C reaches the demo only, which then
	// stops the manager before the API server.
	cmd.SysProcAttr = childSysProcAttr()
	m := &managerProcess{cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		// On Linux the kernel signals the manager (Pdeathsig) when the
		// thread that started it ends, not the process: keep that thread
		// for this goroutine until the manager has exited.
		runtime.LockOSThread()
		defer close(m.exited)
		defer func() { _ = logFile.Close() }()
		if err := cmd.Start(); err != nil {
			m.err = err
			started <- err
			return
		}
		started <- nil
		m.err = cmd.Wait()
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	return m, nil
}

// waitReady waits until the manager's readiness probe answers 200. With the
// probes off or on a random port (0) it cannot ask, and only checks that the
// manager did not exit at once.
func (m *managerProcess) waitReady(ctx context.Context, probeAddr string, timeout time.Duration) error {
	if _, port, err := net.SplitHostPort(probeAddr); err != nil || port == "0" {
		select {
		case <-m.exited:
			return m.died()
		case <-time.After(2 * time.Second):
			return nil
		}
	}
	url := "http://" + probeAddr + "/readyz"
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-m.exited:
			return m.died()
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("the manager did not become ready at %s within %s%s", url, timeout, m.tail())
			}
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// died describes the manager's unexpected exit, with the tail of its log.
func (m *managerProcess) died() error {
	return fmt.Errorf("the manager exited unexpectedly (%v)%s", m.err, m.tail())
}

// stop ends the manager: SIGTERM, then SIGKILL after managerStopTimeout.
func (m *managerProcess) stop() error {
	select {
	case <-m.exited:
		return nil
	default:
	}
	if err := m.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-m.exited:
		return nil
	case <-time.After(managerStopTimeout):
		_ = m.cmd.Process.Kill()
		<-m.exited
		return fmt.Errorf("did not stop within %s; killed", managerStopTimeout)
	}
}

// tail returns the last lines of the manager log, formatted for an error.
func (m *managerProcess) tail() string {
	shown := m.logPath
	if wd, err := os.Getwd(); err == nil {
		shown = rel(wd, m.logPath)
	}
	return "\n--- last lines of " + shown + " ---\n" + tailFile(m.logPath, logTailLines) + "--- end ---"
}

// tailFile returns the last n lines of a file.
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
