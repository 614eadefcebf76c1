//go:build linux

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
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The demo's children die with it, however it dies (SIGKILL, SIGPIPE from a
// closed pipe, a crash): the kernel sends each a parent-death signal
// (prctl PR_SET_PDEATHSIG). A process group alone would not do: kill -9 of
// the demo's pid signals no group, and the children need groups of their own
// anyway, so that Ctrl-C reaches only the demo, which stops them in order
// (the manager, then the API server, then etcd). The manager gets SIGTERM and
// shuts down cleanly; kube-apiserver and etcd get SIGKILL: their data is the
// demo's own and the next run wipes it, and nothing is left to wait for.
//
// The kernel sends the signal when the thread that started the child ends,
// not the process. init locks the main goroutine to the main thread, which
// lives exactly as long as the process, and the control plane is started
// from the main goroutine; managerproc starts the manager from a goroutine
// that keeps its thread.
func init() { runtime.LockOSThread() }

// childSysProcAttr puts the manager in a process group of its own, so that
// Ctrl-C reaches only the demo, and has the kernel send it SIGTERM should the
// demo die without stopping it.
func childSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// envtest starts kube-apiserver and etcd itself, in process groups of their
// own and without a parent-death signal. The demo therefore points envtest at
// links to its own executable named like them; run as such a link, the demo
// sets the signal on itself and executes the real binary, which keeps it.
const (
	// envRealAssets names the directory of the real binaries, for the
	// process that runs as a link.
	envRealAssets = "SKILLMATRIX_DEMO_REAL_ASSETS"
	// envDemoPid is the demo's pid: the link checks that its parent is still
	// the demo once the signal is set, since the demo may have died before.
	envDemoPid = "SKILLMATRIX_DEMO_PID"
)

// controlPlanePaths returns the executables envtest is to run for etcd and
// kube-apiserver: links to this executable in dir/bin. The environment that
// tells them apart from a plain demo run is set until restore is called;
// envtest's children inherit it when they start.
func controlPlanePaths(dir, assets string) (etcd, apiserver string, restore func(), err error) {
	self, err := os.Executable()
	if err != nil {
		return "", "", nil, err
	}
	links := filepath.Join(dir, "bin")
	if err := os.MkdirAll(links, 0o755); err != nil {
		return "", "", nil, err
	}
	for _, name := range []string{etcdBin, apiserverBin} {
		if err := os.Symlink(self, filepath.Join(links, name)); err != nil {
			return "", "", nil, err
		}
	}
	_ = os.Setenv(envRealAssets, assets)
	_ = os.Setenv(envDemoPid, strconv.Itoa(os.Getpid()))
	restore = func() {
		_ = os.Unsetenv(envRealAssets)
		_ = os.Unsetenv(envDemoPid)
	}
	return filepath.Join(links, etcdBin), filepath.Join(links, apiserverBin), restore, nil
}

// execControlPlaneBinary runs, when this process was started as one of the
// links controlPlanePaths made, the real binary in its place with SIGKILL
// as its parent-death signal. It returns only when this is a plain demo run.
func execControlPlaneBinary() {
	assets, pid := os.Getenv(envRealAssets), os.Getenv(envDemoPid)
	name := filepath.Base(os.Args[0])
	if assets == "" || pid == "" || (name != etcdBin && name != apiserverBin) {
		return
	}
	// The signal belongs to the thread that sets it and survives execve
	// only from that thread: init locked this goroutine to it.
	_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0)
	if errno != 0 {
		fmt.Fprintf(os.Stderr, "demo: %s: setting the parent-death signal: %v\n", name, errno)
		os.Exit(127)
	}
	if strconv.Itoa(os.Getppid()) != pid {
		os.Exit(1) // the demo is gone already
	}
	env := slices.DeleteFunc(os.Environ(), func(e string) bool {
		return strings.HasPrefix(e, envRealAssets+"=") || strings.HasPrefix(e, envDemoPid+"=")
	})
	real := filepath.Join(assets, name)
	err := syscall.Exec(real, append([]string{real}, os.Args[1:]...), env)
	fmt.Fprintf(os.Stderr, "demo: executing %s: %v\n", real, err)
	os.Exit(127)
}

// stopLeftovers stops the processes an earlier demo with the same directory
// started and could not stop because it was killed: a process named by names
// whose command line names a path inside dir. It stops them in the order of
// names (manager, kube-apiserver, etcd: each before what it depends on). The
// caller holds the demo's lock, so no running demo owns them.
func stopLeftovers(dir string, names []string) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	prefix := []byte(filepath.Clean(dir) + string(os.PathSeparator))
	found := map[string][]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || len(cmdline) == 0 {
			continue
		}
		args := bytes.Split(bytes.TrimRight(cmdline, "\x00"), []byte{0})
		name := filepath.Base(string(args[0]))
		if !slices.Contains(names, name) || !slices.ContainsFunc(args[1:], func(a []byte) bool {
			return bytes.Contains(a, prefix)
		}) {
			continue
		}
		found[name] = append(found[name], pid)
	}
	for _, name := range names {
		for _, pid := range found[name] {
			t := time.Now()
			how := terminate(pid)
			fmt.Printf("    %s %s (pid %d), left running by an earlier demo that was killed (%s)\n",
				how, name, pid, since(t))
		}
	}
}

// terminate sends SIGTERM and, if the process outlives 10 seconds, SIGKILL,
// and says which ended it.
func terminate(pid int) string {
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return "could not stop"
	}
	for range 100 {
		time.Sleep(100 * time.Millisecond)
		if syscall.Kill(pid, 0) != nil {
			return "stopped"
		}
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	return "killed"
}
