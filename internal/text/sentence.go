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

package text

import (
	"strconv"
	"strings"
)

// Plural is "1 skill" or "3 skills": the count and the noun that agrees with it.
func Plural[N ~int | ~int32 | ~int64](n N, one, many string) string {
	return strconv.FormatInt(int64(n), 10) + " " + Agree(n, one, many)
}

// Agree is the word that agrees with the count n, one for 1 and many
// otherwise, for a sentence that states the count elsewhere: "so the import
// would remove them", "2 other cells use it too". Plural is Agree with the
// count in front.
func Agree[N ~int | ~int32 | ~int64](n N, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Join lists items as a sentence: "a", "a and b", "a, b and c".
func Join(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
