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

// Package scope owns which namespaces one install of the operator (or of
// the portal) watches: the --watch-namespaces flag parsed into a sorted,
// duplicate-free list of valid namespace names, where an empty list means
// cluster-wide. The manager and the portal build their caches from it
// (docs/install.md, "Namespaced mode and several installs").
//
// It is plain Go: it must not import a Kubernetes client or
// controller-runtime; the callers turn the list into cache options.
package scope
