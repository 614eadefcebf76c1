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
	"slices"
	"strconv"
	"syscall"
	"time"
)

// childSysProcAttr puts the manager in a process group of its own, so that
// Ctrl-C reaches only the demo, and has the kernel send it SIGTERM should the
// demo die without stopping it.
func childSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
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
