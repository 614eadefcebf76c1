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

// Package text phrases the messages of the operator and the CLI: the "did you
// mean" hint for a mistyped id (one banded edit distance), user-supplied
// values quoted and clipped for a message, lists of valid values, plurals,
// sentence lists and truncation. Each exists once, so a typo gets the same
// hint and a value the same quoting in a Role's status, a Proposal's status
// and a CLI error.
//
// It replaces internal/suggest rather than extending it: most of it is not
// about suggestions, and callers read better as text.Plural or text.Quote than
// as suggest.Plural.
//
// It imports only the standard library and must stay so: every domain
// package (validation, governance, render, assess, diff) and the CLI import
// it, so it must not import any of them, the API types or a Kubernetes client.
package text
