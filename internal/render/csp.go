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

package render

// HTMLContentSecurityPolicy is the policy matrix.html declares in its own
// meta tag: its inline style and script allowed by their hashes and nothing
// else. A server that sends matrix.html sends it as a header too (adding
// what a meta tag cannot carry, such as frame-ancestors), so both allow
// exactly what the page holds.
func HTMLContentSecurityPolicy() string {
	return contentSecurityPolicy(calculatorScript, matrixCSS)
}
