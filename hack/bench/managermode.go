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
	"flag"
	"fmt"
	"os"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
)

// managerModeArg makes the harness binary run the operator's manager instead
// of measuring it: the "tuned" variant. It is cmd/main.go with plain metrics,
// no leader election, and the controller-runtime options under evaluation as
// flags, so they can be measured before they are proposed for cmd/ and
// internal/controller/setup.go.
const managerModeArg = "manager"

// tunedOptions are the options of the tuned variant.
type tunedOptions struct {
	StripManagedFields      bool
	MaxConcurrentReconciles int
	RoleConcurrency         int
	QPS                     float64
	Burst                   int
}

func (o tunedOptions) args() []string {
	return []string{
		managerModeArg,
		fmt.Sprintf("--strip-managed-fields=%t", o.StripManagedFields),
		fmt.Sprintf("--max-concurrent-reconciles=%d", o.MaxConcurrentReconciles),
		fmt.Sprintf("--role-concurrency=%d", o.RoleConcurrency),
		fmt.Sprintf("--qps=%g", o.QPS),
		fmt.Sprintf("--burst=%d", o.Burst),
	}
}

func (o tunedOptions) String() string {
	var parts []string
	if o.StripManagedFields {
		parts = append(parts, "cache DefaultTransform TransformStripManagedFields")
	}
	if o.MaxConcurrentReconciles > 0 {
		parts = append(parts, fmt.Sprintf("MaxConcurrentReconciles %d for the Proposal and SkillMatrix controllers",
			o.MaxConcurrentReconciles))
	}
	parts = append(parts, fmt.Sprintf("Role concurrency %d", o.RoleConcurrency))
	if o.QPS < 0 {
		parts = append(parts, "no client-side rate limit (QPS -1, as shipped)")
	} else {
		parts = append(parts, fmt.Sprintf("client QPS %g, Burst %d", o.QPS, o.Burst))
	}
	return strings.Join(parts, "; ")
}

// runManager runs the manager until SIGTERM; it returns the exit code.
func runManager(args []string) int {
	fs := flag.NewFlagSet(managerModeArg, flag.ExitOnError)
	var (
		kubeconfig, metricsAddr, probeAddr string
		opts                               tunedOptions
	)
	fs.StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig of the operator's user")
	fs.StringVar(&metricsAddr, "metrics-bind-address", "0", "plain-HTTP metrics address")
	fs.StringVar(&probeAddr, "health-probe-bind-address", "0", "probe address")
	fs.Bool("metrics-secure", false, "accepted for symmetry with cmd/; metrics are always plain HTTP here")
	fs.BoolVar(&opts.StripManagedFields, "strip-managed-fields", false,
		"drop managedFields before objects enter the cache")
	fs.IntVar(&opts.MaxConcurrentReconciles, "max-concurrent-reconciles", 0,
		"default MaxConcurrentReconciles for controllers that do not set their own (0: controller-runtime's 1)")
	fs.IntVar(&opts.RoleConcurrency, "role-concurrency", 4, "Roles reconciled at once")
	fs.Float64Var(&opts.QPS, "qps", -1, "client QPS; -1 disables client-side rate limiting")
	fs.IntVar(&opts.Burst, "burst", 0, "client burst")
	zapOpts := zap.Options{}
	zapOpts.BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	log := ctrl.Log.WithName("bench-manager")

	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		log.Error(err, "loading the kubeconfig")
		return 1
	}
	cfg.QPS, cfg.Burst = float32(opts.QPS), opts.Burst

	cacheOpts := controller.CacheOptions()
	if opts.StripManagedFields {
		cacheOpts.DefaultTransform = cache.TransformStripManagedFields()
	}
	ctrlOpts := config.Controller{}
	if opts.MaxConcurrentReconciles > 0 {
		ctrlOpts.MaxConcurrentReconciles = opts.MaxConcurrentReconciles
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Cache:                  cacheOpts,
		Metrics:                metricsserver.Options{BindAddress: metricsAddr},
		HealthProbeBindAddress: probeAddr,
		Controller:             ctrlOpts,
	})
	if err != nil {
		log.Error(err, "creating the manager")
		return 1
	}
	ctx := ctrl.SetupSignalHandler()
	setup := controller.Options{RoleConcurrency: opts.RoleConcurrency}
	if err := controller.SetupWithManager(ctx, mgr, setup); err != nil {
		log.Error(err, "setting up the controllers")
		return 1
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		log.Error(err, "adding the health check")
		return 1
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		log.Error(err, "adding the ready check")
		return 1
	}
	if err := mgr.Start(ctx); err != nil {
		log.Error(err, "running the manager")
		return 1
	}
	_, _ = fmt.Fprintln(os.Stderr, "bench-manager: stopped")
	return 0
}
