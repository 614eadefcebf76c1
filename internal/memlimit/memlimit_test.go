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

package memlimit

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		content string
		want    int64
		ok      bool
	}{
		{"268435456\n", 268435456, true},
		{"max\n", 0, false},
		{"9223372036854771712\n", 0, false}, // cgroup v1 without a limit
		{"", 0, false},
		{"garbage", 0, false},
		{"-1", 0, false},
		{"0", 0, false},
	}
	for _, tt := range tests {
		got, ok := Parse(tt.content)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Parse(%q) = %d, %v; want %d, %v", tt.content, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSetLeavesAnExplicitGOMEMLIMIT(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "100MiB")
	if got := Set(); got != 0 {
		t.Errorf("Set() = %d with GOMEMLIMIT set, want 0", got)
	}
}

func TestSetFromCgroup(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	dir := t.TempDir()
	limitFile := filepath.Join(dir, "memory.max")
	if err := os.WriteFile(limitFile, []byte("268435456\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	saved := cgroupFiles
	t.Cleanup(func() {
		cgroupFiles = saved
		debug.SetMemoryLimit(math.MaxInt64)
	})

	cgroupFiles = []string{filepath.Join(dir, "missing"), limitFile}
	if got, want := Set(), int64(134217728); got != want {
		t.Errorf("Set() = %d, want %d", got, want)
	}
	if got := debug.SetMemoryLimit(-1); got != 134217728 {
		t.Errorf("runtime soft limit = %d, want 134217728", got)
	}

	cgroupFiles = []string{filepath.Join(dir, "missing")}
	if got := Set(); got != 0 {
		t.Errorf("Set() without a cgroup limit = %d, want 0", got)
	}
}
