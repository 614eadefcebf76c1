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

// Command krew-check builds the release archives of kubectl-skillmatrix and
// the krew plugin manifest that points at them, and checks a filled
// manifest against the archives.
//
//	krew-check release -root DIR -version vX.Y.Z -platforms linux/amd64,... -dist DIR \
//	    -template plugins/skillmatrix.yaml.tmpl -manifest OUT.yaml -license FILE -url BASE
//	krew-check check -manifest FILE.yaml -dist DIR
//
// krew's own structural validation of the manifest is krew's
// validate-krew-manifest, a tool of this module (go tool
// validate-krew-manifest): krew keeps it in an internal package, so it cannot
// be imported, only run. check adds what krew cannot check without
// downloading: that every archive the manifest names is in -dist, has the
// manifest's sha256, and holds the bin and the LICENSE the manifest copies.
//
// It is a module of its own so that krew's dependencies stay out of the
// operator's go.mod.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: krew-check release|check [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "release":
		err = release(os.Args[2:])
	case "check":
		err = check(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q: want release or check", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "krew-check:", err)
		os.Exit(1)
	}
}
