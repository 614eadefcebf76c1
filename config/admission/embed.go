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

// Package admission carries the admission policies and bindings of this
// directory into the operator binary, so the operator can check that what
// is installed is what it ships (internal/enforcement). The YAML files are
// the one source: kustomize installs them, hack/sync-chart.sh copies them
// into the Helm chart.
package admission

import "embed"

// Manifests holds every policy and binding file of this directory.
//
//go:embed *_policy.yaml *_binding.yaml
var Manifests embed.FS
