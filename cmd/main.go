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

// Command manager runs the skillmatrix-operator controllers.
package main

import (
	"crypto/tls"
	"flag"
	"os"

	// Import all Kubernetes client auth plugins (e.g. Azure, GCP, OIDC, etc.)
	// to ensure that exec-entrypoint and run can make use of them.
	_ "k8s.io/client-go/plugin/pkg/client/auth"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	careerv1alpha1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/memlimit"
)

var (
	scheme   = runtime.NewScheme()
	setupLog = ctrl.Log.WithName("setup")
)

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(careerv1alpha1.AddToScheme(scheme))
}

// metricsOptions serves metrics as the flags say.
func metricsOptions(addr string, secure, http2 bool, certPath, certName, certKey string) metricsserver.Options {
	var tlsOpts []func(*tls.Config)
	if !http2 {
		// HTTP/2 stays off by default: Stream Cancellation and Rapid Reset CVEs.
		tlsOpts = append(tlsOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
	}
	metricsServerOptions := metricsserver.Options{
		BindAddress:   addr,
		SecureServing: secure,
		TLSOpts:       tlsOpts,
	}
	if secure {
		// Only callers that RBAC allows to get /metrics may scrape.
		metricsServerOptions.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	if certPath != "" {
		metricsServerOptions.CertDir = certPath
		metricsServerOptions.CertName = certName
		metricsServerOptions.KeyName = certKey
	}
	return metricsServerOptions
}

// bindControllerFlags binds the flags that tune the controllers.
func bindControllerFlags(opts *controller.Options) {
	flag.IntVar(&opts.RoleConcurrency, "role-concurrency", 4, "How many Roles are reconciled at once.")
	flag.IntVar(&opts.ProposalConcurrency, "proposal-concurrency", 4,
		"How many Proposals are reconciled at once; promotions into one Role still take turns.")
	flag.StringVar(&opts.GitCacheDir, "git-cache-dir", "",
		"Where Git write-back keeps its cached bare clones (an emptyDir in the chart); "+
			"empty uses a directory under the system temp dir.")
}

func main() {
	var (
		metricsAddr, probeAddr, pprofAddr                string
		metricsCertPath, metricsCertName, metricsCertKey string
		enableLeaderElection, secureMetrics, enableHTTP2 bool
		controllerOpts                                   controller.Options
	)
	flag.StringVar(&metricsAddr, "metrics-bind-address", "0", "The address the metrics endpoint binds to. "+
		"Use :8443 for HTTPS or :8080 for HTTP, or leave as 0 to disable the metrics service.")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "The address the probe endpoint binds to.")
	flag.BoolVar(&enableLeaderElection, "leader-elect", false,
		"Enable leader election, so that only one of several replicas reconciles at a time.")
	flag.BoolVar(&secureMetrics, "metrics-secure", true,
		"Serve metrics over HTTPS with authentication and authorization. Use --metrics-secure=false for plain HTTP.")
	flag.StringVar(&metricsCertPath, "metrics-cert-path", "",
		"The directory that contains the metrics server certificate; a self-signed one is generated when empty.")
	flag.StringVar(&metricsCertName, "metrics-cert-name", "tls.crt", "The name of the metrics server certificate file.")
	flag.StringVar(&metricsCertKey, "metrics-cert-key", "tls.key", "The name of the metrics server key file.")
	flag.BoolVar(&enableHTTP2, "enable-http2", false, "Enable HTTP/2 for the metrics server.")
	flag.StringVar(&pprofAddr, "pprof-bind-address", "",
		"The address a net/http/pprof endpoint binds to, for profiling; empty disables it.")
	bindControllerFlags(&controllerOpts)
	zapOpts := zap.Options{}
	zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()

	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	if limit := memlimit.Set(); limit > 0 {
		setupLog.Info("Soft memory limit set from the container's memory limit",
			"bytes", limit, "fraction", memlimit.Fraction)
	}

	metricsServerOptions := metricsOptions(metricsAddr, secureMetrics, enableHTTP2,
		metricsCertPath, metricsCertName, metricsCertKey)

	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                 scheme,
		Cache:                  controller.CacheOptions(),
		Metrics:                metricsServerOptions,
		HealthProbeBindAddress: probeAddr,
		PprofBindAddress:       pprofAddr,
		LeaderElection:         enableLeaderElection,
		LeaderElectionID:       "skillmatrix-operator.career.skillmatrix.dev",
		// The process exits as soon as the manager stops, so releasing the
		// lease on the way out is safe and speeds up hand-over.
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		setupLog.Error(err, "Failed to create the manager")
		os.Exit(1)
	}

	ctx := ctrl.SetupSignalHandler()
	if err := controller.SetupWithManager(ctx, mgr, controllerOpts); err != nil {
		setupLog.Error(err, "Failed to set up the controllers")
		os.Exit(1)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		setupLog.Error(err, "Failed to set up the health check")
		os.Exit(1)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		setupLog.Error(err, "Failed to set up the ready check")
		os.Exit(1)
	}

	setupLog.Info("Starting manager")
	if err := mgr.Start(ctx); err != nil {
		setupLog.Error(err, "Failed to run the manager")
		os.Exit(1)
	}
}
