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

// Package manifestedit owns editing a Role's manifest as people wrote it: it
// finds the Role's document among the YAML files of a repository path, checks
// each change's `from` against that document (the compare-and-swap
// governance.Apply does against the cluster), and applies the changes by
// splicing new bytes into the original text at node positions a YAML parser
// reports. The tree is never re-marshalled, so comments, key order, quoting,
// indentation, blank lines, folded strings and the other documents of the file
// stay byte for byte; every edit is re-parsed and compared with
// governance.Apply before it is returned, so a splice that would change
// anything else is refused rather than written.
//
// It refuses what it cannot splice safely (Helm templates, kustomize patches,
// anchors and aliases, tags, duplicate keys) with a typed error. It is plain
// Go: it must not import Git, a Kubernetes client or controller-runtime.
package manifestedit
