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

// Package archtest holds no code, only a test of the import graph: the
// domain packages (validation, model, render, governance, promotion,
// publish, assess, diff, text, enforcement, manifestedit, scope, revert,
// switchover) import no
// Kubernetes client, no
// controller-runtime and no cobra, and none of internal/controller or
// internal/cli, so the graph only runs downwards. It must not be imported.
package archtest
