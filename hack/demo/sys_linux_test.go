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
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeDemoEnv makes the test binary act as a demo that starts "etcd" through
// controlPlanePaths, as the demo starts the control plane, prints the pid of
// the real process and waits to be killed.
const fakeDemoEnv = "SKILLMATRIX_DEMO_TEST_FAKE_DEMO"

func TestMain(m *testing.M) {
	execControlPlaneBinary()
	if dir := os.Getenv(fakeDemoEnv); dir != "" {
		os.Exit(fakeDemo(dir))
	}
	os.Exit(m.Run())
}

// fakeDemo runs from the main goroutine, which init locked to the main
// thread, as the demo's control-plane start does.
func fakeDemo(dir string) int {
	etcd, _, restore, err := controlPlanePaths(dir, filepath.Join(dir, "assets"))
	if err != nil {
		fmt.Println(err)
		return 1
	}
	cmd := exec.Command(etcd, "--data-dir="+dir)
	cmd.Stdout = os.Stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // as envtest does
	if err := cmd.Start(); err != nil {
		fmt.Println(err)
		return 1
	}
	restore()
	fmt.Println("started", cmd.Process.Pid)
	select {}
}

// TestControlPlaneDiesWithTheDemo kills a demo with SIGKILL and checks that
// the control-plane process it started through the links dies too, though
// it runs in a process group of its own.
func TestControlPlaneDiesWithTheDemo(t *testing.T) {
	dir := t.TempDir()
	assets := filepath.Join(dir, "assets")
	if err := os.MkdirAll(assets, 0o755); err != nil {
		t.Fatal(err)
	}
	// The "real" etcd: reports its pid, then stays (exec keeps the pid and
	// the parent-death signal).
	script := "#!/bin/sh\necho etcd \"$$\" \"$@\"\nexec sleep 600\n"
	if err := os.WriteFile(filepath.Join(assets, etcdBin), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	demo := exec.Command(self)
	demo.Env = append(os.Environ(), fakeDemoEnv+"="+dir)
	out, err := demo.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	etcdPid := 0
	for etcdPid == 0 && lines.Scan() {
		// The real binary runs with its own name and the arguments envtest gave.
		if f := strings.Fields(lines.Text()); len(f) == 3 && f[0] == "etcd" && f[2] == "--data-dir="+dir {
			etcdPid, _ = strconv.Atoi(f[1])
		}
	}
	if etcdPid == 0 {
		_ = demo.Process.Kill()
		t.Fatalf("the fake etcd did not start: %v", lines.Err())
	}
	if !running(etcdPid) {
		t.Fatal("the fake etcd is not running before the demo is killed")
	}
	t.Cleanup(func() { _ = syscall.Kill(etcdPid, syscall.SIGKILL) })

	if err := demo.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = demo.Wait()
	// The kernel delivers the signal as the demo exits; the process is then
	// gone or a zombie awaiting its new parent's wait.
	for deadline := time.Now().Add(30 * time.Second); running(etcdPid); {
		if time.Now().After(deadline) {
			t.Fatalf("etcd (pid %d) still runs 30s after its demo was killed", etcdPid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// running reports whether pid exists and is not a zombie.
func running(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(stat)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && fields[0] != "Z"
}
