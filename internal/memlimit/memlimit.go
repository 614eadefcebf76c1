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

// Package memlimit gives the Go runtime a soft memory limit below the
// container's hard one. Without it the garbage collector lets the heap grow
// to twice the live data before collecting, and the kernel kills a manager
// whose live data fits the limit easily (docs/performance.md). It imports
// only the standard library, so cmd/ can call it before anything else starts.
package memlimit

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// Fraction of the container's memory limit the Go runtime aims to stay
// under. The rest is for what the runtime does not count (the binary's pages,
// about 45 MiB of the resident set at 1000 Roles in docs/performance.md) and
// for a live heap that outgrows the soft limit: then the collector runs
// more often, and only past the hard limit does the kernel kill the process.
const Fraction = 0.5

// cgroupFiles hold the container's memory limit: cgroup v2, then v1.
var cgroupFiles = []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}

// Set applies Fraction of the container's memory limit as the runtime's soft
// limit, unless GOMEMLIMIT is set (the runtime has applied it already) or no
// limit is found. It returns the limit it set, 0 for none.
func Set() int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0
	}
	for _, path := range cgroupFiles {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		if limit, ok := Parse(string(data)); ok {
			soft := int64(float64(limit) * Fraction)
			debug.SetMemoryLimit(soft)
			return soft
		}
	}
	return 0
}

// noLimit is what cgroup v1 reports for an unlimited group: the largest
// page-aligned int64.
const noLimit = 1 << 62

// Parse reads a cgroup memory limit file: a number of bytes, or "max" (v2)
// or a huge number (v1) for none.
func Parse(content string) (int64, bool) {
	s := strings.TrimSpace(content)
	if s == "" || s == "max" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n >= noLimit {
		return 0, false
	}
	return n, true
}
