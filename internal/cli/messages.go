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

package cli

import (
	"strings"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// messages are the interface strings of one locale. They come from the
// operator's message catalogs (internal/render's locales/*.json), the ones
// the published matrices and matrix.html's calculator read, so the CLI says
// what the pages say, in the same words and languages, and a locale is added
// in one place.
type messages struct{ locale string }

// s is message id, with data given as name, value pairs; a "Count" also
// picks the plural form.
func (t messages) s(id string, kv ...any) string { return render.Message(t.locale, id, kv...) }

// n is message id for a count: n("count.cells", 6) is "6 cells".
func (t messages) n(id string, count int) string { return t.s(id, "Count", count) }

// list joins items with the locale's list separator.
func (t messages) list(items []string) string { return strings.Join(items, t.s("sep.list")) }

// yesNo is the locale's yes or no.
func (t messages) yesNo(b bool) string {
	if b {
		return t.s("word.yes")
	}
	return t.s("word.no")
}

// header is a table's column headings, upper case where the script has
// case, as kubectl prints them: from the catalog's column names.
func (t messages) header(ids ...string) string {
	cols := make([]string, len(ids))
	for i, id := range ids {
		cols[i] = strings.ToUpper(t.s(id))
	}
	return strings.Join(cols, "\t")
}
