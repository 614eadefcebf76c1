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

// Package plane is what hack/bench and hack/bench/maxproposals measure the
// operator on: an envtest control plane set up as a cluster the operator is
// installed in (CRDs, admission policies, user ClusterRoles, the manager's
// generated ClusterRole bound to its own user), and the readings both take
// from processes: /proc memory, Prometheus text, the chart's memory limits.
package plane

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/memlimit"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// OperatorUser is who the manager authenticates as: bound to the generated
// ClusterRole manager-role only, as in a real install.
const OperatorUser = "skillmatrix-operator"

// Plane is a running control plane.
type Plane struct {
	Env    *envtest.Environment
	Config *rest.Config
	Admin  client.WithWatch
	// Operator acts as OperatorUser: admission lets only the operator write
	// the published ConfigMaps.
	Operator client.Client
	// Kubeconfig is OperatorUser's, for the manager process.
	Kubeconfig string
	scheme     *runtime.Scheme
	dir        string
}

// Start starts kube-apiserver and etcd from assets with the CRDs of root
// (the repository root) and installs what the operator ships around them.
// No client has a client-side rate limit: the harness must never be the
// bottleneck it measures.
func Start(ctx context.Context, root, assets string, scheme *runtime.Scheme) (*Plane, error) {
	dir, err := os.MkdirTemp("", "skillmatrix-bench-")
	if err != nil {
		return nil, err
	}
	// etcd's default 2 GiB quota holds about 4500 published matrices of the
	// sample's size: make bench-scale ran out of it at 5000 Roles. 8 GiB is
	// etcd's documented maximum.
	etcd := &envtest.Etcd{}
	etcd.Configure().Set("quota-backend-bytes", strconv.Itoa(8<<30))
	p := &Plane{scheme: scheme, dir: dir, Env: &envtest.Environment{
		CRDDirectoryPaths:     []string{testenv.CRDDirectory(root)},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: assets,
		ControlPlane:          envtest.ControlPlane{Etcd: etcd},
	}}
	if p.Config, err = p.Env.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("starting envtest: %w", err)
	}
	p.Config.QPS, p.Config.Burst = -1, 0
	if err := p.install(ctx, root); err != nil {
		_ = p.Stop()
		return nil, err
	}
	return p, nil
}

func (p *Plane) install(ctx context.Context, root string) error {
	var err error
	if p.Admin, err = client.NewWithWatch(p.Config, client.Options{Scheme: p.scheme}); err != nil {
		return err
	}
	if err := testenv.InstallAdmission(ctx, p.Admin, root, OperatorUser); err != nil {
		return err
	}
	objs, err := testenv.ReadObjects(filepath.Join(root, "config", "rbac", "role.yaml"))
	if err != nil {
		return err
	}
	for _, u := range objs {
		if err := p.Admin.Apply(ctx, client.ApplyConfigurationFromUnstructured(u),
			client.FieldOwner("skillmatrix-bench"), client.ForceOwnership); err != nil {
			return fmt.Errorf("applying %s %s: %w", u.GetKind(), u.GetName(), err)
		}
	}
	user, err := p.AddUser(ctx, OperatorUser, nil, "manager-role")
	if err != nil {
		return err
	}
	p.Operator = user.Client
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return err
	}
	p.Kubeconfig = filepath.Join(p.dir, "operator.kubeconfig")
	return os.WriteFile(p.Kubeconfig, kubeconfig, 0o600)
}

// User is an authenticated user of the control plane.
type User struct {
	*envtest.AuthenticatedUser
	Client client.Client
}

// AddUser creates a user in groups and binds the ClusterRoles to it.
func (p *Plane) AddUser(ctx context.Context, name string, groups []string, clusterRoles ...string) (User, error) {
	u, err := p.Env.AddUser(envtest.User{Name: name, Groups: groups}, nil)
	if err != nil {
		return User{}, fmt.Errorf("adding user %s: %w", name, err)
	}
	cfg := u.Config()
	cfg.QPS, cfg.Burst = p.Config.QPS, p.Config.Burst
	c, err := client.New(cfg, client.Options{Scheme: p.scheme})
	if err != nil {
		return User{}, err
	}
	for _, role := range clusterRoles {
		if err := p.Admin.Create(ctx, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: name + "-" + role},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}},
		}); err != nil {
			return User{}, fmt.Errorf("binding %s to %s: %w", role, name, err)
		}
	}
	return User{AuthenticatedUser: u, Client: c}, nil
}

// Stop ends kube-apiserver and etcd and removes the kubeconfigs.
func (p *Plane) Stop() error {
	err := p.Env.Stop()
	_ = os.RemoveAll(p.dir)
	return err
}

// SoftLimit reads a memory limit of the chart's default values, at the
// path of keys above "resources" (none for the manager, "portal" for the
// portal), and returns it with the soft limit (GOMEMLIMIT) the process sets
// itself from it in a Pod (internal/memlimit). The harness runs outside any
// cgroup, so it passes that value explicitly.
func SoftLimit(root string, path ...string) (resource.Quantity, int64, error) {
	data, err := os.ReadFile(filepath.Join(root, "charts", "skillmatrix-operator", "values.yaml"))
	if err != nil {
		return resource.Quantity{}, 0, err
	}
	var node any
	if err := yaml.Unmarshal(data, &node); err != nil {
		return resource.Quantity{}, 0, fmt.Errorf("reading the chart's values: %w", err)
	}
	keys := append(append([]string{}, path...), "resources", "limits", "memory")
	for _, k := range keys {
		m, _ := node.(map[string]any)
		node = m[k]
	}
	text, _ := node.(string)
	limit, err := resource.ParseQuantity(text)
	if err != nil {
		return resource.Quantity{}, 0, fmt.Errorf("the chart's %s: %w", strings.Join(keys, "."), err)
	}
	return limit, int64(float64(limit.Value()) * memlimit.Fraction), nil
}

// Memory is a process's resident set now (VmRSS) and at its peak (VmHWM),
// in bytes; zero when the process is gone.
func Memory(pid int) (rss, peak float64) {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for line := range strings.SplitSeq(string(data), "\n") {
		k, v, _ := strings.Cut(line, ":")
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		switch k {
		case "VmRSS":
			rss = kb * 1024
		case "VmHWM":
			peak = kb * 1024
		}
	}
	return rss, peak
}

// Sample is one line of the Prometheus text format.
type Sample struct {
	Labels map[string]string
	Value  float64
}

// ParseMetrics returns the samples of one metric from the Prometheus text
// format, as kube-apiserver and controller-runtime emit it (label values
// without embedded quotes or commas), which keeps the harness free of the
// Prometheus libraries.
func ParseMetrics(text, name string) []Sample {
	var out []Sample
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		tail, ok := strings.CutPrefix(sc.Text(), name)
		if !ok {
			continue
		}
		s := Sample{Labels: map[string]string{}}
		if labels, after, ok := strings.Cut(tail, "}"); ok && strings.HasPrefix(labels, "{") {
			for pair := range strings.SplitSeq(labels[1:], ",") {
				if k, v, ok := strings.Cut(pair, "="); ok {
					s.Labels[k] = strings.Trim(v, `"`)
				}
			}
			tail = after
		} else if !strings.HasPrefix(tail, " ") {
			continue // a longer metric name with this prefix
		}
		fields := strings.Fields(tail)
		if len(fields) == 0 {
			continue
		}
		var err error
		if s.Value, err = strconv.ParseFloat(fields[0], 64); err == nil {
			out = append(out, s)
		}
	}
	return out
}

// Reconciles sums controller_runtime_reconcile_total by controller.
func Reconciles(metrics string) map[string]float64 {
	out := map[string]float64{}
	for _, s := range ParseMetrics(metrics, "controller_runtime_reconcile_total") {
		out[s.Labels["controller"]] += s.Value
	}
	return out
}
