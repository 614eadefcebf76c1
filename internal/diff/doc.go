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

// Package diff computes the two comparisons `kubectl skillmatrix diff` shows:
// what changes between two levels of a Role (Levels) and a cell-by-cell diff
// of two versions of a Role (Roles). Both are pure functions of their inputs
// returning JSON-ready values; printing them is the CLI's job.
//
// It imports only the API types, internal/model and internal/text: never a
// Kubernetes client, controller-runtime, cobra, internal/controller or
// internal/cli, so the CLI, a future portal and the tests share one engine.
package diff
