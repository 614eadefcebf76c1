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

package scope

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, list string
		want       []string
		invalid    bool
	}{
		{name: "empty is cluster-wide", list: "", want: nil},
		{name: "only separators and blanks is cluster-wide", list: " , ,, ", want: nil},
		{name: "one", list: "career", want: []string{"career"}},
		{name: "sorted and trimmed", list: " team-b ,team-a", want: []string{"team-a", "team-b"}},
		{name: "duplicates collapse", list: "a,b,a, b", want: []string{"a", "b"}},
		{name: "trailing comma", list: "a,", want: []string{"a"}},
		{name: "upper case is refused", list: "Career", invalid: true},
		{name: "a dot is refused", list: "team.a", invalid: true},
		{name: "a space inside is refused", list: "team a", invalid: true},
		{name: "one bad entry fails the list", list: "ok,-bad", invalid: true},
		{name: "longer than 63 is refused", list: strings.Repeat("a", 64), invalid: true},
		{name: "63 is fine", list: strings.Repeat("a", 63), want: []string{strings.Repeat("a", 63)}},
		{name: "a wildcard is refused", list: "*", invalid: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.list)
			if tc.invalid {
				if !errors.Is(err, ErrInvalidNamespace) {
					t.Fatalf("Parse(%q) = %v, %v; want ErrInvalidNamespace", tc.list, got, err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("Parse(%q) = %q, %v; want %q", tc.list, got, err, tc.want)
			}
		})
	}
}

// FuzzParse: whatever the input, Parse either fails with ErrInvalidNamespace
// or returns a sorted, duplicate-free list of valid namespace names, each of
// which appears in the input, and parsing its own join gives it back.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{"", "a", "a,b", " a , a ", "A", "a..b", ",,,", "team-a,team-b,team-a"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, list string) {
		got, err := Parse(list)
		if err != nil {
			if !errors.Is(err, ErrInvalidNamespace) {
				t.Fatalf("Parse(%q): unexpected error %v", list, err)
			}
			return
		}
		if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Fatalf("Parse(%q) = %q: not sorted and duplicate-free", list, got)
		}
		for _, ns := range got {
			if len(validation.IsDNS1123Label(ns)) > 0 || !strings.Contains(list, ns) {
				t.Fatalf("Parse(%q) returned %q", list, ns)
			}
		}
		again, err := Parse(strings.Join(got, ","))
		if err != nil || !slices.Equal(again, got) {
			t.Fatalf("Parse(Join(Parse(%q))) = %q, %v; want %q", list, again, err, got)
		}
	})
}
