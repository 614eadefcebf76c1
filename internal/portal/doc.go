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

// Package portal is the operator's read-only web portal: per namespace an
// index of the SkillMatrices and their Roles, a page per Role (its open
// Proposals, its changelog, its career paths) and the Role's matrix.html at
// a URL of its own, a page per Proposal with its tally against the policy,
// career paths as server-rendered SVG, and Atom feeds per Role, SkillMatrix
// and namespace. It owns the HTTP handlers, the templates, the feeds and the
// cache of rendered pages.
//
// It reads SkillMatrices, Roles and Proposals from a controller-runtime
// informer cache (no ConfigMaps, no Secrets, no API call per request) and
// renders a Role exactly as the Role controller does (model.BuildRole and
// render.Role over the same objects), so its matrix.html is the published
// one; the content hash in the Role's status says whether it is.
//
// It imports the API types and the domain packages (model, render, publish,
// governance, text), internal/kubecache (the cache options and indexes it
// shares with the operator) and controller-runtime's client and cache
// interfaces;
// never internal/controller or internal/cli, and it writes nothing.
package portal
