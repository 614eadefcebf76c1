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

// Command gitserve serves one bare Git repository on loopback over smart
// HTTP with basic auth, for the Git write-back walkthrough in
// docs/gitops.md: git's own `git http-backend` behind net/http/cgi, as the
// tests run it (internal/testenv/gitserver). The repository is seeded with
// the given files under -path and lives until Ctrl-C.
//
//	go run ./hack/gitserve -addr 127.0.0.1:8765 config/samples/career_v1alpha1_role.yaml
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"syscall"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/gitserver"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8765", "loopback address to listen on")
	repo := flag.String("repo", "career", "repository name (served as /<repo>.git)")
	dir := flag.String("path", "career", "directory in the repository the files are committed to")
	flag.Parse()
	files := map[string]string{"README.md": "# career\n"}
	for _, f := range flag.Args() {
		data, err := os.ReadFile(f)
		if err != nil {
			fail(err)
		}
		files[path.Join(*dir, filepath.Base(f))] = string(data)
	}
	tb := &gitserver.ProcessTB{}
	defer tb.Close()
	srv := gitserver.StartAt(tb, *addr)
	if tb.Err != nil {
		fail(tb.Err)
	}
	if err := srv.CreateRepo(*repo, "main", files); err != nil {
		fail(err)
	}
	fmt.Printf("serving %s (user %q, password %q); Ctrl-C stops it\n",
		srv.URL(*repo), gitserver.User, gitserver.InitialPassword)
	fmt.Printf("inspect it with: git clone http://%s:%s@%s/%s.git\n",
		gitserver.User, gitserver.InitialPassword, *addr, *repo)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gitserve:", err)
	os.Exit(1)
}
