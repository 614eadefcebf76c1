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
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/skillmatrix-dev/skillmatrix-operator/hack/internal/managerproc"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

const (
	// adminKubeconfig is the admin's kubeconfig in the demo directory.
	adminKubeconfig = "kubeconfig"
	// managerLog receives the manager's stdout and stderr.
	managerLog = "manager.log"
	// managerStopTimeout bounds the manager's graceful shutdown.
	managerStopTimeout = 15 * time.Second
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

// startManager starts the manager against the admin kubeconfig of the demo
// directory, with plain-HTTP metrics and probes on the given addresses (real
// ports: see managerproc.FreeAddress), its output in manager.log and extra
// flags, and waits until it is ready.
func startManager(ctx context.Context, bin, dir, metricsAddr, probeAddr string,
	timeout time.Duration, extra ...string) (*managerproc.Process, error) {
	abs, err := filepath.Abs(bin)
	if err != nil {
		return nil, err
	}
	m, err := managerproc.Start(managerproc.Config{
		Bin: abs,
		// The --kubeconfig flag carries the demo directory into the command
		// line, which is how a later run recognises a manager this one
		// could not stop.
		Kubeconfig:  filepath.Join(dir, adminKubeconfig),
		Args:        append([]string{"--zap-encoder=console"}, extra...),
		MetricsAddr: metricsAddr,
		ProbeAddr:   probeAddr,
		LogPath:     filepath.Join(dir, managerLog),
		// A process group of its own: Ctrl-C reaches the demo only, which
		// then stops the manager before the API server. On Linux it also
		// dies with the demo (sys_linux.go).
		SysProcAttr: childSysProcAttr(),
	})
	if err != nil {
		return nil, err
	}
	if err := m.WaitReady(ctx, timeout); err != nil {
		_ = m.Stop(managerStopTimeout)
		return nil, err
	}
	return m, nil
}
