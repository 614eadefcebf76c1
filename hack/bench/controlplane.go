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

package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// Users of the governance measurement, with the grants the suites use.
const (
	alice = "alice"
	bob   = "bob"
	carol = "carol"
	dave  = "dave"
	// operatorUser is who the manager process authenticates as: bound to
	// the generated ClusterRole manager-role only, as in a real install.
	operatorUser = "skillmatrix-operator"
)

// controlPlane is one fresh envtest kube-apiserver and etcd with the CRDs,
// the admission policy, the user ClusterRoles and the operator's RBAC.
type controlPlane struct {
	env   *envtest.Environment
	cfg   *rest.Config
	admin client.WithWatch
	dir   string
	users map[string]client.Client
	// operator acts as the operator's identity: the plain-client baseline
	// writes what the operator writes, and admission lets only the operator
	// write the published ConfigMaps.
	operator client.Client
	kubecf   string
}

// startControlPlane starts envtest from the repository root and installs
// everything the operator ships around its CRDs.
func startControlPlane(ctx context.Context, root, assets string) (*controlPlane, error) {
	dir, err := os.MkdirTemp("", "skillmatrix-bench-")
	if err != nil {
		return nil, err
	}
	// etcd's default 2 GiB quota holds about 4500 published matrices of
	// the sample's size (410 KiB each): make bench-scale's 5000 Roles ran
	// out of it ("mvcc: database space exceeded"). 8 GiB is etcd's
	// documented maximum.
	etcd := &envtest.Etcd{}
	etcd.Configure().Set("quota-backend-bytes", strconv.Itoa(8<<30))
	cp := &controlPlane{
		env: &envtest.Environment{
			CRDDirectoryPaths:     []string{testenv.CRDDirectory(root)},
			ErrorIfCRDPathMissing: true,
			BinaryAssetsDirectory: assets,
			ControlPlane:          envtest.ControlPlane{Etcd: etcd},
		},
		dir:   dir,
		users: map[string]client.Client{},
	}
	if cp.cfg, err = cp.env.Start(); err != nil {
		return nil, fmt.Errorf("starting envtest: %w", err)
	}
	// No client-side rate limit, as controller-runtime's GetConfig: the
	// harness must never be the bottleneck it measures.
	cp.cfg.QPS, cp.cfg.Burst = -1, 0
	if cp.admin, err = client.NewWithWatch(cp.cfg, client.Options{Scheme: scheme}); err != nil {
		return nil, cp.stopWith(err)
	}
	if err := testenv.InstallAdmission(ctx, cp.admin, root, operatorUser); err != nil {
		return nil, cp.stopWith(err)
	}
	if err := cp.installOperatorRBAC(ctx, root); err != nil {
		return nil, cp.stopWith(err)
	}
	if err := cp.addUsers(ctx); err != nil {
		return nil, cp.stopWith(err)
	}
	return cp, nil
}

func (cp *controlPlane) stopWith(err error) error {
	_ = cp.stop()
	return err
}

// stop ends kube-apiserver and etcd and removes the kubeconfigs.
func (cp *controlPlane) stop() error {
	err := cp.env.Stop()
	_ = os.RemoveAll(cp.dir)
	return err
}

// installOperatorRBAC applies config/rbac/role.yaml (ClusterRole
// manager-role, generated from the controllers' markers), binds it to
// operatorUser and writes that user's kubeconfig for the manager process.
func (cp *controlPlane) installOperatorRBAC(ctx context.Context, root string) error {
	objs, err := testenv.ReadObjects(filepath.Join(root, "config", "rbac", "role.yaml"))
	if err != nil {
		return err
	}
	for _, u := range objs {
		if err := cp.admin.Apply(ctx, client.ApplyConfigurationFromUnstructured(u),
			client.FieldOwner("skillmatrix-bench"), client.ForceOwnership); err != nil {
			return fmt.Errorf("applying %s %s: %w", u.GetKind(), u.GetName(), err)
		}
	}
	if err := bindClusterRole(ctx, cp.admin, operatorUser, "manager-role"); err != nil {
		return err
	}
	user, err := cp.env.AddUser(envtest.User{Name: operatorUser}, nil)
	if err != nil {
		return err
	}
	operatorCfg := user.Config()
	operatorCfg.QPS, operatorCfg.Burst = cp.cfg.QPS, cp.cfg.Burst // no client-side rate limit, as the admin's
	if cp.operator, err = client.New(operatorCfg, client.Options{Scheme: scheme}); err != nil {
		return err
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return err
	}
	cp.kubecf = filepath.Join(cp.dir, "operator.kubeconfig")
	return os.WriteFile(cp.kubecf, kubeconfig, 0o600)
}

// addUsers creates the people of the governance measurement: alice, bob
// and dave propose and vote, carol also reviews.
func (cp *controlPlane) addUsers(ctx context.Context) error {
	const proposer, voter, reviewer = "skillmatrix-proposer", "skillmatrix-voter", "skillmatrix-reviewer"
	grants := map[string][]string{
		alice: {proposer, voter},
		bob:   {proposer, voter},
		dave:  {proposer, voter},
		carol: {proposer, voter, reviewer},
	}
	for name, roles := range grants {
		user, err := cp.env.AddUser(envtest.User{Name: name, Groups: []string{engineerGroup}}, cp.cfg)
		if err != nil {
			return err
		}
		if cp.users[name], err = client.New(user.Config(), client.Options{Scheme: scheme}); err != nil {
			return err
		}
		for _, role := range roles {
			if err := bindClusterRole(ctx, cp.admin, name, role); err != nil {
				return err
			}
		}
	}
	return nil
}

func bindClusterRole(ctx context.Context, c client.Client, user, role string) error {
	return c.Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user + "-" + role},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	})
}

// writeCounts are the mutating requests the API server served, by
// "VERB resource[/subresource]", from its apiserver_request_total counter;
// keys with conflictPrefix count the ones refused with 409 Conflict.
type writeCounts map[string]float64

// operatorResources are the resources the operator writes (and the
// harness, in the baseline and for the one SkillMatrix edit). The API
// server's own writes, such as its identity Lease every 10 seconds, are
// left out.
var operatorResources = []string{"configmaps", "roles", "roles/status", "skillmatrices", "skillmatrices/status",
	"proposals", "proposals/status", "events"}

// mutatingVerbs are the verbs of apiserver_request_total that write.
var mutatingVerbs = map[string]bool{"POST": true, "PUT": true, "PATCH": true, "APPLY": true, "DELETE": true}

// apiserverWrites scrapes kube-apiserver's /metrics as the admin and sums
// apiserver_request_total over codes for the mutating verbs. It counts every
// write request, including no-op updates (which do not change a
// resourceVersion) and requests refused with a conflict.
func (cp *controlPlane) apiserverWrites(ctx context.Context) (writeCounts, error) {
	raw, err := cp.scrapeMetrics(ctx)
	if err != nil {
		return nil, err
	}
	out := writeCounts{}
	for _, s := range parseMetrics(raw, "apiserver_request_total") {
		if !mutatingVerbs[s.labels["verb"]] || s.labels["dry_run"] != "" {
			continue
		}
		key := s.labels["verb"] + " " + requestResource(s.labels)
		out[key] += s.value
		if s.labels["code"] == "409" {
			out[conflictPrefix+key] += s.value
		}
	}
	return out, nil
}

// scrapeMetrics reads kube-apiserver's /metrics as the admin.
func (cp *controlPlane) scrapeMetrics(ctx context.Context) (string, error) {
	cs, err := kubernetes.NewForConfig(cp.cfg)
	if err != nil {
		return "", err
	}
	raw, err := cs.Discovery().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return "", fmt.Errorf("scraping kube-apiserver /metrics: %w", err)
	}
	return string(raw), nil
}

// requestResource names a request's target as "resource[/subresource]".
func requestResource(labels map[string]string) string {
	if sub := labels["subresource"]; sub != "" {
		return labels["resource"] + "/" + sub
	}
	return labels["resource"]
}

// conflictPrefix marks the counts of requests refused with 409 Conflict
// (an optimistic-lock failure); they are also in the plain counts.
const conflictPrefix = "409 "

// requestTimes are the API server's request durations (sum of seconds and
// count) by "VERB resource[/subresource]", from
// apiserver_request_duration_seconds, for the operator's resources.
type requestTimes struct {
	sum, count map[string]float64
}

func (cp *controlPlane) apiserverTimes(ctx context.Context) (requestTimes, error) {
	raw, err := cp.scrapeMetrics(ctx)
	if err != nil {
		return requestTimes{}, err
	}
	out := requestTimes{sum: map[string]float64{}, count: map[string]float64{}}
	for suffix, into := range map[string]map[string]float64{"_sum": out.sum, "_count": out.count} {
		for _, s := range parseMetrics(raw, "apiserver_request_duration_seconds"+suffix) {
			res := requestResource(s.labels)
			if !slices.Contains(operatorResources, res) || s.labels["verb"] == "WATCH" {
				continue
			}
			into[s.labels["verb"]+" "+res] += s.value
		}
	}
	return out, nil
}

// meanSince returns the mean duration per request since before, by key,
// for the keys with requests in between.
func (t requestTimes) meanSince(before requestTimes) map[string]requestMean {
	out := map[string]requestMean{}
	for k, c := range t.count {
		n := c - before.count[k]
		if n <= 0 {
			continue
		}
		sum := t.sum[k] - before.sum[k]
		out[k] = requestMean{Count: n, Mean: time.Duration(sum / n * float64(time.Second))}
	}
	return out
}

// requestMean is how many requests of a kind the API server served and how
// long they took on average, admission and storage included.
type requestMean struct {
	Count float64
	Mean  time.Duration
}

// diff returns after minus before, dropping zeroes.
func (after writeCounts) diff(before writeCounts) writeCounts {
	out := writeCounts{}
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// conflicts sums the requests refused with 409 Conflict.
func (w writeCounts) conflicts() float64 {
	sum := 0.0
	for k, v := range w {
		if strings.HasPrefix(k, conflictPrefix) {
			sum += v
		}
	}
	return sum
}

// total sums the counts whose key's resource is in resources (all when empty).
func (w writeCounts) total(resources ...string) float64 {
	sum := 0.0
	for k, v := range w {
		if strings.HasPrefix(k, conflictPrefix) {
			continue
		}
		if len(resources) == 0 {
			sum += v
			continue
		}
		_, res, _ := strings.Cut(k, " ")
		for _, r := range resources {
			if res == r {
				sum += v
			}
		}
	}
	return sum
}

// sample is one line of the Prometheus text format.
type sample struct {
	labels map[string]string
	value  float64
}

// parseMetrics returns the samples of one metric from the Prometheus text
// format. It handles what kube-apiserver and controller-runtime emit
// (quoted label values without embedded quotes or commas), which keeps the
// harness free of a direct dependency on the Prometheus libraries.
func parseMetrics(text, name string) []sample {
	var out []sample
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name) {
			continue
		}
		tail := line[len(name):]
		s := sample{labels: map[string]string{}}
		switch {
		case strings.HasPrefix(tail, "{"):
			end := strings.Index(tail, "}")
			if end < 0 {
				continue
			}
			for pair := range strings.SplitSeq(tail[1:end], ",") {
				k, v, ok := strings.Cut(pair, "=")
				if ok {
					s.labels[k] = strings.Trim(v, `"`)
				}
			}
			tail = tail[end+1:]
		case strings.HasPrefix(tail, " "):
		default:
			continue // a longer metric name with this prefix
		}
		fields := strings.Fields(tail)
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			continue
		}
		s.value = v
		out = append(out, s)
	}
	return out
}

// processCPU returns the CPU time (user+system) of the process pid.
func processCPU(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; fields start after its ')'.
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticks
}

// childPIDs finds the direct children of this process by command name:
// envtest's kube-apiserver and etcd.
func childPIDs() map[string]int {
	out := map[string]int{}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	self := os.Getpid()
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(data)
		open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || closing < open {
			continue
		}
		fields := strings.Fields(s[closing+1:])
		if len(fields) < 2 {
			continue
		}
		if ppid, _ := strconv.Atoi(fields[1]); ppid == self {
			out[s[open+1:closing]] = pid
		}
	}
	return out
}

// cpuMeter measures the CPU time the API server, etcd and the manager
// spend over an interval.
type cpuMeter struct {
	pids  map[string]int
	start map[string]time.Duration
}

func newCPUMeter(managerPID int) *cpuMeter {
	m := &cpuMeter{pids: map[string]int{}, start: map[string]time.Duration{}}
	for name, pid := range childPIDs() {
		if name == "kube-apiserver" || name == "etcd" {
			m.pids[name] = pid
		}
	}
	if managerPID > 0 {
		m.pids["manager"] = managerPID
	}
	for name, pid := range m.pids {
		m.start[name] = processCPU(pid)
	}
	return m
}

// since returns the CPU time each process used since the meter started.
func (m *cpuMeter) since() map[string]time.Duration {
	out := map[string]time.Duration{}
	for name, pid := range m.pids {
		out[name] = processCPU(pid) - m.start[name]
	}
	return out
}

// engineerGroup is the bench users' group; engineerGroups is what their
// votes and reviews record (the API server adds system:authenticated).
const engineerGroup = "engineers"

var engineerGroups = testenv.AuthenticatedGroups(engineerGroup)
