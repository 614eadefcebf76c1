//go:build unix && !linux

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
	"path/filepath"
	"syscall"
)

// childSysProcAttr puts the manager in a process group of its own, so that
// Ctrl-C reaches only the demo, which then stops it in order.
func childSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// stopLeftovers does nothing here: without /proc the demo cannot recognise
// the processes of an earlier demo that was killed.
func stopLeftovers(string, []string) {}

// controlPlanePaths returns the real binaries: outside Linux there is no
// parent-death signal, and the control plane of a demo that was killed keeps
// running until it is stopped by hand.
func controlPlanePaths(_, assets string) (etcd, apiserver string, restore func(), err error) {
	return filepath.Join(assets, etcdBin), filepath.Join(assets, apiserverBin), func() {}, nil
}

// execControlPlaneBinary does nothing here: controlPlanePaths makes no links.
func execControlPlaneBinary() {}
