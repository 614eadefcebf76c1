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
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// ErrInvalidNamespace means an entry of the list is not a namespace name.
var ErrInvalidNamespace = errors.New("not a valid namespace name")

// Parse reads a comma-separated list of namespaces, such as the value of
// --watch-namespaces. Blanks around entries and empty entries are ignored,
// duplicates collapse, and the result is sorted; nil means cluster-wide.
// An entry that is not a DNS-1123 label fails the whole list: a typo must
// not silently leave a namespace unwatched.
func Parse(list string) ([]string, error) {
	var out []string
	for entry := range strings.SplitSeq(list, ",") {
		ns := strings.TrimSpace(entry)
		if ns == "" {
			continue
		}
		if problems := validation.IsDNS1123Label(ns); len(problems) > 0 {
			return nil, fmt.Errorf("namespace %q: %w: %s", ns, ErrInvalidNamespace, strings.Join(problems, "; "))
		}
		out = append(out, ns)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
