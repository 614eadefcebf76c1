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

// Command portal serves the operator's read-only career portal
// (internal/portal) from an informer cache of SkillMatrices, Roles and
// Proposals. It runs as a Deployment of its own beside the manager, from
// the same image, with a ServiceAccount that may only get, list and watch
// those three kinds. docs/portal.md describes it.
package main

import (
	"crypto/tls"
	"flag"
	"net"
	"os"

	_ "k8s.io/client-go/plugin/pkg/client/auth"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	careerv1alpha1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/memlimit"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/portal"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/scope"
)

var setupLog = ctrl.Log.WithName("setup")

type flags struct {
	bindAddr, metricsAddr, probeAddr, publicURL, namespaces string
	secureMetrics                                           bool
	zapOpts                                                 zap.Options
}

func parseFlags() flags {
	var f flags
	flag.StringVar(&f.bindAddr, "bind-address", ":8080", "The address the portal's pages are served on (plain HTTP).")
	flag.StringVar(&f.metricsAddr, "metrics-bind-address", "0",
		"The address the metrics endpoint binds to, such as :8082; 0 disables it.")
	flag.BoolVar(&f.secureMetrics, "metrics-secure", false,
		"Serve metrics over HTTPS with a self-signed certificate. Scrapers are not authenticated: "+
			"the portal's ServiceAccount may not create TokenReviews, so restrict it with a NetworkPolicy.")
	flag.StringVar(&f.probeAddr, "health-probe-bind-address", ":8081", "The address the probe endpoint binds to.")
	flag.StringVar(&f.publicURL, "public-url", "",
		"The portal's address as readers reach it (https://career.example.com), for absolute links in the feeds.")
	flag.StringVar(&f.namespaces, "watch-namespaces", "",
		"Comma-separated namespaces to cache and show, as the manager's --watch-namespaces; "+
			"all namespaces when empty (the ServiceAccount must then read them cluster-wide).")
	flag.StringVar(&f.namespaces, "namespaces", "", "Deprecated: the former name of --watch-namespaces.")
	f.zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()
	return f
}

func main() {
	f := parseFlags()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&f.zapOpts)))
	if limit := memlimit.Set(); limit > 0 {
		setupLog.Info("Soft memory limit set from the container's memory limit", "bytes", limit)
	}
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(careerv1alpha1.AddToScheme(scheme))

	namespaces, err := scope.Parse(f.namespaces)
	if err != nil {
		setupLog.Error(err, "Invalid --watch-namespaces")
		os.Exit(1)
	}
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme: scheme,
		Cache:  portal.CacheOptions(namespaces),
		Metrics: metricsserver.Options{BindAddress: f.metricsAddr, SecureServing: f.secureMetrics,
			TLSOpts: []func(*tls.Config){func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} }}},
		HealthProbeBindAddress: f.probeAddr,
	})
	if err != nil {
		setupLog.Error(err, "Failed to create the manager")
		os.Exit(1)
	}
	listener, err := net.Listen("tcp", f.bindAddr)
	if err != nil {
		setupLog.Error(err, "Failed to listen", "address", f.bindAddr)
		os.Exit(1)
	}
	ctx := ctrl.SetupSignalHandler()
	opts := portal.Options{PublicURL: f.publicURL, Namespaces: namespaces}
	if _, err := portal.Setup(ctx, mgr, listener, opts); err != nil {
		setupLog.Error(err, "Failed to set up the portal")
		os.Exit(1)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		setupLog.Error(err, "Failed to set up the health check")
		os.Exit(1)
	}
	setupLog.Info("Starting the portal", "address", listener.Addr().String())
	if err := mgr.Start(ctx); err != nil {
		setupLog.Error(err, "Failed to run the portal")
		os.Exit(1)
	}
}
