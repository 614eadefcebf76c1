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

package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ErrNoHelm means bin/helm is missing; `make helm` installs it.
var ErrNoHelm = errors.New("bin/helm is missing: run `make helm`")

// HelmTemplate renders the chart charts/skillmatrix-operator under root as
// release in namespace with root/bin/helm, without the CRDs (envtest
// installs those), with the given --set flags, and decodes what it prints.
func HelmTemplate(ctx context.Context, root, release, namespace string, sets ...string) ([]*unstructured.Unstructured, error) {
	helm, err := filepath.Abs(filepath.Join(root, "bin", "helm"))
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(helm); err != nil {
		return nil, fmt.Errorf("%w (%w)", ErrNoHelm, err)
	}
	args := []string{"template", release, filepath.Join(root, "charts", "skillmatrix-operator"), "--namespace", namespace}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, helm, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("helm %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return decodeObjects("helm template "+release, stdout.Bytes())
}
