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

package chart

import (
	"reflect"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// releaseNamespace is the namespace the chart is rendered for.
const releaseNamespace = "skillmatrix-system"

// TestChartValues checks what the chart renders for its values: the defaults,
// every option, and the switches.
func TestChartValues(t *testing.T) {
	t.Run("defaults", testDefaults)
	t.Run("all options", testAllOptions)

	for _, tc := range []struct {
		name   string
		sets   []string
		absent []string // kinds or Kind/name that must not be rendered
		count  map[string]int
		args   []string // the manager's args include these
	}{{
		name:  "two replicas add a PodDisruptionBudget",
		sets:  []string{"replicas=2"},
		count: map[string]int{kindPDB: 1},
	}, {
		name:   "admission policy off, enforced by other means",
		sets:   []string{"admissionPolicy.enabled=false", "admissionPolicy.enforcedExternally=true"},
		absent: []string{kindPolicy, kindBinding, "ConfigMap/skillmatrix-admission-params"},
		count:  map[string]int{kindClusterRole: 8},
		args:   []string{"--admission-enforced-externally"},
	}, {
		name: "admission policy installed by another release",
		sets: []string{"admissionPolicy.enabled=false", "admissionPolicy.enforcedExternally=false",
			"admissionPolicy.paramsNamespace=career-one"},
		absent: []string{kindPolicy, kindBinding},
		args:   []string{"--admission-params-namespace=career-one"},
	}, {
		name:  "user roles off",
		sets:  []string{"userRoles.enabled=false"},
		count: map[string]int{kindClusterRole: 3, kindPolicy: 7},
	}, {
		name:   "no proposal quota by default",
		absent: []string{"ResourceQuota"},
		count:  map[string]int{"ConfigMap": 1},
	}, {
		name:  "a proposal quota per namespace",
		sets:  []string{"proposalQuota.enabled=true", "proposalQuota.namespaces={career,data}"},
		count: map[string]int{"ResourceQuota": 2},
	}, {
		name:  "a ballot quota per namespace",
		sets:  []string{"ballotQuota.enabled=true", "ballotQuota.namespaces={career}"},
		count: map[string]int{"ResourceQuota": 1},
	}, {
		name: "metrics off",
		sets: []string{"metrics.enabled=false"},
		absent: []string{"Service/skillmatrix-operator-metrics",
			"ClusterRole/skillmatrix-operator-metrics-reader", "ClusterRole/skillmatrix-operator-metrics-auth"},
		args: []string{"--metrics-bind-address=0"},
	}, {
		name:   "notifications link to the portal and serve the unsubscribe link",
		sets:   []string{"portal.publicURL=https://career.example.com"},
		args:   []string{"--portal-url=https://career.example.com", "--notification-bind-address=:8082"},
		absent: []string{"Ingress/skillmatrix-operator-unsubscribe"},
	}, {
		name:   "notifications off",
		sets:   []string{"notifications.enabled=false"},
		absent: []string{"Service/skillmatrix-operator-unsubscribe"},
		args:   []string{"--notifications=false"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			objs := helmTemplate(t, "skillmatrix-operator", releaseNamespace, nil, tc.sets...)
			for _, o := range objs {
				if slices.Contains(tc.absent, o.GetKind()) || slices.Contains(tc.absent, o.GetKind()+"/"+o.GetName()) {
					t.Errorf("--set %v renders %s/%s", tc.sets, o.GetKind(), o.GetName())
				}
			}
			for kind, n := range tc.count {
				if got := len(ofKind(objs, kind)); got != n {
					t.Errorf("--set %v renders %d %s, want %d: %v", tc.sets, got, kind, n, names(ofKind(objs, kind)))
				}
			}
			if len(tc.args) > 0 {
				assertArgs(t, objs, "skillmatrix-operator", tc.args...)
			}
		})
	}
}

// testDefaults: the default values render the operator with the restricted
// Pod Security profile, leader election, probes and HTTPS metrics, the
// unprefixed user ClusterRoles, and none of the optional objects.
func testDefaults(t *testing.T) {
	objs := helmTemplate(t, "skillmatrix-operator", releaseNamespace, nil)
	for _, kind := range []string{kindPDB, kindMonitor, kindNetPol} {
		if got := ofKind(objs, kind); len(got) != 0 {
			t.Errorf("default values render %v; %s is off by default", names(got), kind)
		}
	}
	for _, name := range []string{
		"skillmatrix-viewer", "skillmatrix-proposer", "skillmatrix-voter", "skillmatrix-reviewer",
		"skillmatrix-operator-metrics-auth", "skillmatrix-operator-metrics-reader",
	} {
		if find(objs, kindClusterRole, name) == nil {
			t.Errorf("no ClusterRole %s among %v", name, names(objs))
		}
	}
	if find(objs, "Service", "skillmatrix-operator-unsubscribe") == nil ||
		find(objs, kindClusterRole, "skillmatrix-follower") == nil {
		t.Errorf("no unsubscribe Service or follower ClusterRole among %v", names(objs))
	}
	svc := find(objs, "Service", "skillmatrix-operator-metrics")
	if svc == nil {
		t.Fatalf("no metrics Service among %v", names(objs))
	}
	wantPort := map[string]any{"name": "https", "port": float64(8443), "targetPort": "https", "protocol": "TCP"}
	if ports, _, _ := unstructured.NestedSlice(svc.Object, "spec", "ports"); len(ports) != 1 ||
		!reflect.DeepEqual(ports[0], wantPort) {
		t.Errorf("metrics Service ports = %v, want %v", ports, wantPort)
	}
	testDefaultDeployment(t, objs)
	testLeaderElectionRole(t, objs)
}

// testDefaultDeployment checks the manager Deployment of the default values.
func testDefaultDeployment(t *testing.T, objs objects) {
	d := find(objs, kindDeployment, "skillmatrix-operator")
	if d == nil {
		t.Fatalf("no Deployment skillmatrix-operator among %v", names(objs))
	}
	if r := field(d, "spec", "replicas"); r != float64(1) {
		t.Errorf("replicas = %v, want 1", r)
	}
	if v := field(d, "spec", "template", "spec", "automountServiceAccountToken"); v != true {
		t.Errorf("automountServiceAccountToken = %v, want true", v)
	}
	runtimeDefault := map[string]any{"type": "RuntimeDefault"}
	wantPodSC := map[string]any{"runAsNonRoot": true, "seccompProfile": runtimeDefault}
	if sc := field(d, "spec", "template", "spec", "securityContext"); !reflect.DeepEqual(sc, wantPodSC) {
		t.Errorf("Pod securityContext = %v, want %v", sc, wantPodSC)
	}
	c := managerContainer(t, d)
	if c["image"] != "ghcr.io/skillmatrix-dev/skillmatrix-operator:0.1.0" {
		t.Errorf("image = %v, want the repository with the chart's appVersion", c["image"])
	}
	wantSC := map[string]any{
		"runAsNonRoot":             true,
		"readOnlyRootFilesystem":   true,
		"allowPrivilegeEscalation": false,
		"capabilities":             map[string]any{"drop": []any{"ALL"}},
		"seccompProfile":           runtimeDefault,
	}
	if !reflect.DeepEqual(c["securityContext"], wantSC) {
		t.Errorf("container securityContext = %v, want %v", c["securityContext"], wantSC)
	}
	assertArgs(t, objs, "skillmatrix-operator",
		"--leader-elect", "--health-probe-bind-address=:8081", "--metrics-bind-address=:8443",
		"--max-open-proposals-per-author=20")
	for probe, path := range map[string]string{"livenessProbe": "/healthz", "readinessProbe": "/readyz"} {
		get, _, _ := unstructured.NestedMap(c, probe, "httpGet")
		if get["path"] != path || get["port"] != "health" {
			t.Errorf("%s = %v, want GET %s on the health port", probe, get, path)
		}
	}
	wantHealth := map[string]any{"name": "health", "containerPort": float64(8081), "protocol": "TCP"}
	if ports, _ := c["ports"].([]any); len(ports) == 0 || !reflect.DeepEqual(ports[0], wantHealth) {
		t.Errorf("container ports = %v, want %v first", c["ports"], wantHealth)
	}
	if res, _ := c["resources"].(map[string]any); res["limits"] == nil || res["requests"] == nil {
		t.Errorf("container resources = %v, want limits and requests", c["resources"])
	}
}

// testLeaderElectionRole: leases and core events in the release namespace,
// nothing else.
func testLeaderElectionRole(t *testing.T, objs objects) {
	le := find(objs, "Role", "skillmatrix-operator-leader-election")
	if le == nil || le.GetNamespace() != releaseNamespace {
		t.Fatalf("no leader election Role in %s among %v", releaseNamespace, names(objs))
	}
	wantRules := []any{
		map[string]any{"apiGroups": []any{"coordination.k8s.io"}, "resources": []any{"leases"},
			"verbs": []any{"get", "list", "watch", "create", "update", "patch", "delete"}},
		map[string]any{"apiGroups": []any{""}, "resources": []any{"events"}, "verbs": []any{"create", "patch"}},
	}
	if !reflect.DeepEqual(field(le, "rules"), wantRules) {
		t.Errorf("leader election rules = %v, want %v", field(le, "rules"), wantRules)
	}
}

// testAllOptions: every optional object is rendered and the options reach the
// manager's flags.
func testAllOptions(t *testing.T) {
	objs := helmTemplate(t, "all-options", releaseNamespace, []string{allOptionsValues})
	for _, kind := range []string{kindPDB, kindMonitor, kindNetPol} {
		if len(ofKind(objs, kind)) != 1 {
			t.Errorf("all options render %v, want one %s", names(objs), kind)
		}
	}
	assertArgs(t, objs, "career-operator",
		"--metrics-bind-address=:9443", "--metrics-cert-path=/tmp/k8s-metrics-server/metrics-certs",
		"--role-concurrency=8", "--proposal-concurrency=6",
		"--zap-log-level=debug", "--zap-encoder=console", "--enable-http2")
}

// assertArgs checks that the manager container of the named Deployment has
// the given args.
func assertArgs(t *testing.T, objs objects, deployment string, want ...string) {
	t.Helper()
	d := find(objs, kindDeployment, deployment)
	if d == nil {
		t.Fatalf("no Deployment %s among %v", deployment, names(objs))
	}
	args := stringsOf(managerContainer(t, d)["args"])
	for _, w := range want {
		if !slices.Contains(args, w) {
			t.Errorf("Deployment %s: args %v lack %s", deployment, args, w)
		}
	}
}
