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
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/scope"
)

var (
	scheme   = runtime.NewScheme()
	setupLog = ctrl.Log.WithName("setup")
)

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(careerv1alpha1.AddToScheme(scheme))
}

// flags are the manager's command line.
type flags struct {
	metricsAddr, probeAddr, pprofAddr                string
	metricsCertPath, metricsCertName, metricsCertKey string
	watchNamespaces, leaderElectionNamespace         string
	leaderElectionID                                 string
	enableLeaderElection, secureMetrics, enableHTTP2 bool
	apiResponseCompression, notificationsOn          bool
	controllerOpts                                   controller.Options
	zapOpts                                          zap.Options
}

func parseFlags() flags {
	var f flags
	flag.StringVar(&f.metricsAddr, "metrics-bind-address", "0", "The address the metrics endpoint binds to. "+
		"Use :8443 for HTTPS or :8080 for HTTP, or leave as 0 to disable the metrics service.")
	flag.StringVar(&f.probeAddr, "health-probe-bind-address", ":8081", "The address the probe endpoint binds to.")
	flag.BoolVar(&f.enableLeaderElection, "leader-elect", false,
		"Enable leader election, so that only one of several replicas reconciles at a time.")
	flag.StringVar(&f.watchNamespaces, "watch-namespaces", "",
		"Comma-separated namespaces whose SkillMatrices, Roles and Proposals this install caches and reconciles; "+
			"empty watches the whole cluster. Each install of several side by side watches its own, disjoint set.")
	flag.StringVar(&f.leaderElectionID, "leader-election-id", "skillmatrix-operator.career.skillmatrix.dev",
		"The name of the leader election Lease. Installs that share a namespace need different ones (the chart "+
			"derives it from the release).")
	flag.StringVar(&f.leaderElectionNamespace, "leader-election-namespace", os.Getenv("POD_NAMESPACE"),
		"The namespace of the leader election Lease; default the Pod's namespace (in a cluster) "+
			"or the kubeconfig's (outside one).")
	flag.BoolVar(&f.secureMetrics, "metrics-secure", true,
		"Serve metrics over HTTPS with authentication and authorization. Use --metrics-secure=false for plain HTTP.")
	flag.StringVar(&f.metricsCertPath, "metrics-cert-path", "",
		"The directory that contains the metrics server certificate; a self-signed one is generated when empty.")
	flag.StringVar(&f.metricsCertName, "metrics-cert-name", "tls.crt", "The name of the metrics server certificate file.")
	flag.StringVar(&f.metricsCertKey, "metrics-cert-key", "tls.key", "The name of the metrics server key file.")
	flag.BoolVar(&f.enableHTTP2, "enable-http2", false, "Enable HTTP/2 for the metrics server.")
	flag.StringVar(&f.pprofAddr, "pprof-bind-address", "",
		"The address a net/http/pprof endpoint binds to, for profiling; empty disables it.")
	flag.IntVar(&f.controllerOpts.RoleConcurrency, "role-concurrency", controller.DefaultRoleConcurrency,
		"How many Roles are reconciled at once; rendering takes turns, one per core.")
	flag.IntVar(&f.controllerOpts.ProposalConcurrency, "proposal-concurrency", controller.DefaultProposalConcurrency,
		"How many Proposals are reconciled at once; promotions into one Role still take turns.")
	flag.IntVar(&f.controllerOpts.MaxOpenProposalsPerAuthor, "max-open-proposals-per-author",
		controller.DefaultMaxOpenProposalsPerAuthor,
		"How many open Proposals one author may have per namespace before the admission policy "+
			"skillmatrix-proposal-author-limit refuses the next (the operator keeps the counts it reads); -1 turns it off.")
	flag.StringVar(&f.controllerOpts.GitCacheDir, "git-cache-dir", "",
		"Where Git write-back keeps its cached bare clones (an emptyDir in the chart); "+
			"empty uses a directory under the system temp dir.")
	paramsNamespace := os.Getenv("POD_NAMESPACE")
	if paramsNamespace == "" {
		paramsNamespace = controller.DefaultAdmissionParamsNamespace
	}
	flag.StringVar(&f.controllerOpts.AdmissionParamsNamespace, "admission-params-namespace", paramsNamespace,
		"The namespace of the admission policies' parameters (ConfigMap skillmatrix-admission-params): "+
			"who the operator is and who may vote and review. Default: the Pod's namespace.")
	flag.BoolVar(&f.controllerOpts.AdmissionEnforcedExternally, "admission-enforced-externally", false,
		"Promote without checking that the shipped admission policies are installed unchanged and in Deny mode, "+
			"for clusters that enforce the same rules by other means (Kyverno, Gatekeeper). Logs a warning at every start.")
	flag.BoolVar(&f.notificationsOn, "notifications", true,
		"Run the notification controllers (NotificationProvider, NotificationRule, Follow; docs/notifications.md).")
	flag.StringVar(&f.controllerOpts.Notifications.PortalURL, "portal-url", "",
		"The portal's public address (https://career.example.com): messages link to its pages; "+
			"without it they name a kubectl command.")
	flag.StringVar(&f.controllerOpts.Notifications.UnsubscribeURL, "notification-unsubscribe-url", "",
		"The public address under which /unsubscribe/ reaches --notification-bind-address, for the one-click unsubscribe "+
			"link of a Follow's mail. Default: --portal-url (route /unsubscribe/ there to the manager).")
	flag.StringVar(&f.controllerOpts.Notifications.UnsubscribeAddr, "notification-bind-address", "0",
		"The address the one-click unsubscribe endpoint binds to on every replica (e.g. :8082); 0 disables it.")
	flag.BoolVar(&f.apiResponseCompression, "api-response-compression", false,
		"Accept gzip-compressed responses and watch streams from the API server. Off by default: the large "+
			"responses the manager gets (every ConfigMap it writes comes back whole, the initial list of Roles) cost "+
			"the API server CPU to compress and the manager CPU to decompress (docs/performance.md).")
	f.zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()
	f.controllerOpts.Notifications.Disabled = !f.notificationsOn
	return f
}

// metricsServerOptions serves metrics as the flags say.
func (f flags) metricsServerOptions() metricsserver.Options {
	var tlsOpts []func(*tls.Config)
	if !f.enableHTTP2 {
		// HTTP/2 stays off by default: Stream Cancellation and Rapid Reset CVEs.
		tlsOpts = append(tlsOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
	}
	opts := metricsserver.Options{
		BindAddress:   f.metricsAddr,
		SecureServing: f.secureMetrics,
		TLSOpts:       tlsOpts,
	}
	if f.secureMetrics {
		// Only callers that RBAC allows to get /metrics may scrape.
		opts.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	if f.metricsCertPath != "" {
		opts.CertDir = f.metricsCertPath
		opts.CertName = f.metricsCertName
		opts.KeyName = f.metricsCertKey
	}
	return opts
}

func main() {
	f := parseFlags()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&f.zapOpts)))
	if limit := memlimit.Set(); limit > 0 {
		setupLog.Info("Soft memory limit set from the container's memory limit",
			"bytes", limit, "fraction", memlimit.Fraction)
	}

	watchNamespaces, err := scope.Parse(f.watchNamespaces)
	if err != nil {
		setupLog.Error(err, "Invalid --watch-namespaces")
		os.Exit(1)
	}
	if len(watchNamespaces) > 0 {
		setupLog.Info("Watching only some namespaces", "namespaces", watchNamespaces)
	}
	restConfig := ctrl.GetConfigOrDie()
	restConfig.DisableCompression = !f.apiResponseCompression
	mgr, err := ctrl.NewManager(restConfig, ctrl.Options{
		Scheme:                 scheme,
		Cache:                  controller.CacheOptions(watchNamespaces...),
		Metrics:                f.metricsServerOptions(),
		HealthProbeBindAddress: f.probeAddr,
		PprofBindAddress:       f.pprofAddr,
		LeaderElection:         f.enableLeaderElection,
		LeaderElectionID:       f.leaderElectionID,
		// Each install keeps its Lease in its own namespace, so installs
		// side by side never contend for one lock.
		LeaderElectionNamespace: f.leaderElectionNamespace,
		// The process exits as soon as the manager stops, so releasing the
		// lease on the way out is safe and speeds up hand-over.
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		setupLog.Error(err, "Failed to create the manager")
		os.Exit(1)
	}

	ctx := ctrl.SetupSignalHandler()
	if err := controller.SetupWithManager(ctx, mgr, f.controllerOpts); err != nil {
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
