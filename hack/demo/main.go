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

// Command demo is the local first run: with nothing but Go on the machine it
// starts a kube-apiserver and etcd (the envtest binaries that
// hack/envtest-assets.sh provides), installs the CRDs, the admission policy
// and the user ClusterRoles, starts the manager as a process of its own,
// applies the MLOps Engineer SkillMatrix and Role samples and shows the
// rendered matrix. It writes an admin kubeconfig and one per demo user
// (alice, bob, dave, carol) under bin/demo, builds the kubectl plugin, starts
// a small OIDC issuer whose sign-in page lists the demo users and the portal
// behind oauth2-proxy, where they sign in and act in the browser, prints the
// commands to try next, and keeps running until interrupted; Ctrl-C stops
// everything it started.
//
// With -check (or DEMO_CHECK=1) it also runs those next steps itself: the
// plugin's printed commands as the real users, and the portal signed in
// through oauth2-proxy as a browser would; it waits until the Proposal is
// Applied and the rendered matrix shows the change, prints PASS and exits 0.
// docs/demo.md describes it.
//
// Run it from the repository root: go run ./hack/demo [-check].
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	careerv1alpha1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/internal/managerproc"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/oidcissuer"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/mailpit"
)

// modulePath identifies the repository root: the directory whose go.mod
// declares it.
const modulePath = "github.com/skillmatrix-dev/skillmatrix-operator"

// namespace is where the demo applies the samples and binds the users.
const namespace = "demo"

// fieldOwner is the server-side apply field manager of the demo.
const fieldOwner = "skillmatrix-demo"

// The control-plane executables, as envtest names them.
const (
	etcdBin      = "etcd"
	apiserverBin = "kube-apiserver"
)

// options are the command-line flags.
type options struct {
	check       bool
	dir         string
	manager     string
	skipBuild   bool
	metricsAddr string
	probeAddr   string
	timeout     time.Duration
	// portal is the portal binary; portalAddr where it serves its pages,
	// portalProbeAddr its probes.
	portal, portalAddr, portalProbeAddr string
	// plugin is the kubectl plugin; oauth2Proxy the proxy in front of the
	// portal, listening on proxyAddr; issuerAddr the demo's OIDC issuer.
	plugin, oauth2Proxy, proxyAddr, issuerAddr string
}

func main() {
	// Run as one of the control-plane links (sys_linux.go), this becomes
	// kube-apiserver or etcd and does not return.
	execControlPlaneBinary()
	var o options
	flag.BoolVar(&o.check, "check", envBool("DEMO_CHECK"),
		"Run the printed next steps as the demo users, print PASS and exit (also DEMO_CHECK=1).")
	flag.StringVar(&o.dir, "dir", filepath.Join("bin", "demo"),
		"Directory, relative to the repository root, for the kubeconfigs, logs and control-plane data. "+
			"It is wiped at start.")
	flag.StringVar(&o.manager, "manager", filepath.Join("bin", "manager"), "The manager binary to run.")
	flag.BoolVar(&o.skipBuild, "skip-build", false,
		"Do not run 'go build -o <manager> ./cmd' and 'go build -o <portal> ./cmd/portal' first.")
	flag.StringVar(&o.metricsAddr, "metrics-bind-address", "127.0.0.1:0",
		"The manager's (plain HTTP) metrics address; port 0 picks a free port, printed at start. 0 disables metrics.")
	flag.StringVar(&o.probeAddr, "health-probe-bind-address", "127.0.0.1:0",
		"The manager's health probe address, which the demo polls until the manager is ready; port 0 picks a free port.")
	flag.StringVar(&o.portal, "portal", filepath.Join("bin", "skillmatrix-portal"), "The portal binary to run.")
	flag.StringVar(&o.portalAddr, "portal-bind-address", "127.0.0.1:0",
		"Where the portal serves its pages; port 0 picks a free port, printed at start.")
	flag.StringVar(&o.portalProbeAddr, "portal-health-probe-bind-address", "127.0.0.1:0",
		"The portal's health probe address; port 0 picks a free port.")
	flag.StringVar(&o.plugin, "plugin", filepath.Join("bin", "kubectl-skillmatrix"),
		"The kubectl plugin to build (unless -skip-build) and run the printed commands with.")
	flag.StringVar(&o.oauth2Proxy, "oauth2-proxy", filepath.Join("bin", "oauth2-proxy"),
		"The oauth2-proxy binary (make oauth2-proxy installs the pinned one into bin/).")
	flag.StringVar(&o.proxyAddr, "proxy-bind-address", "127.0.0.1:0",
		"Where oauth2-proxy serves the portal with sign-in; port 0 picks a free port, printed at start.")
	flag.StringVar(&o.issuerAddr, "issuer-bind-address", "127.0.0.1:0",
		"Where the demo's OIDC issuer (its sign-in page) listens; port 0 picks a free port.")
	flag.DurationVar(&o.timeout, "timeout", 3*time.Minute,
		"How long to wait for each step: the manager, the Role to become Ready, the Proposal to be Applied.")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "demo: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	os.Exit(run(o))
}

// envBool reports whether the environment variable is set to a true value.
func envBool(name string) bool {
	v, err := strconv.ParseBool(os.Getenv(name))
	return err == nil && v
}

// demo holds what the demo started, so stop can end exactly that.
type demo struct {
	opts    options
	root    string // repository root, absolute
	dir     string // demo directory, absolute
	relDir  string // demo directory as printed, relative to root when inside it
	env     *envtest.Environment
	admin   client.Client
	users   map[string]client.Client
	manager *managerproc.Process
	portal  *managerproc.Process
	proxy   *managerproc.Process
	issuer  *oidcissuer.Issuer
	// clientSecret is the portal's client secret at the issuer, for oauth2-proxy.
	clientSecret string
	started      time.Time
	// mail receives the demo's notifications; unsubscribeAddr is where the
	// manager serves their unsubscribe links (notify.go).
	mail            *mailpit.Server
	unsubscribeAddr string

	// proposal is the sample Proposal's name; configMap the Role's rendered
	// matrix, compressed when the operator had to gzip it.
	proposal   string
	configMap  string
	compressed bool
	lastMatrix *matrix

	// unlock releases the lock on the demo directory.
	unlock func()
}

// run does everything and returns the exit code.
func run(o options) int {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer cancel()

	if o.check {
		// CI runs the check: prove the demo needs none of the ports a
		// manager listens on by default.
		release := holdDefaultPorts(o.metricsAddr, o.probeAddr, o.portalAddr, o.portalProbeAddr, o.proxyAddr, o.issuerAddr)
		defer release()
	}
	d := &demo{opts: o, started: time.Now(), users: map[string]client.Client{}}
	err := d.setUp(ctx)
	if err == nil {
		if o.check {
			err = d.runCheck(ctx)
		} else {
			err = d.serve(ctx)
		}
	}
	interrupted := ctx.Err() != nil
	if stopErr := d.stop(); stopErr != nil && err == nil && o.check {
		// CI must not pass while leaving processes behind.
		err = stopErr
	}
	if d.unlock != nil {
		d.unlock()
	}

	switch {
	case err == nil:
		return 0
	case interrupted && !o.check:
		// Ctrl-C during set-up: nothing failed, the user changed their mind.
		fmt.Println("demo: interrupted")
		return 0
	default:
		fmt.Fprintf(os.Stderr, "\ndemo: FAILED: %v\n", err)
		return 1
	}
}

// setUp brings up the control plane, installs what the operator ships, starts
// the manager and applies the samples, then prints the matrix.
func (d *demo) setUp(ctx context.Context) error {
	if err := d.locate(); err != nil {
		return err
	}
	if err := d.prepareDir(); err != nil {
		return err
	}
	if err := d.choosePorts(); err != nil {
		return err
	}

	step("Control-plane binaries (hack/envtest-assets.sh)")
	t := time.Now()
	assets, err := envtestAssets(ctx, d.root)
	if err != nil {
		return err
	}
	fmt.Printf("    kube-apiserver and etcd in %s (%s)\n", assets, since(t))

	// The manager builds meanwhile: both take a while on a cold cache.
	build := make(chan error, 1)
	if d.opts.skipBuild {
		build <- nil
	} else {
		go func() {
			err := buildManager(ctx, d.opts.manager)
			if err == nil {
				err = buildPortal(ctx, d.opts.portal)
			}
			if err == nil {
				err = buildPlugin(ctx, d.opts.plugin)
			}
			build <- err
		}()
	}

	step("Starting kube-apiserver and etcd")
	t = time.Now()
	if err := d.startControlPlane(assets); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	fmt.Printf("    API server %s, data in %s (%s)\n", d.env.Config.Host, d.relDir, since(t))

	step("Installing the CRDs, the admission policy and the user ClusterRoles")
	t = time.Now()
	if err := testenv.InstallAdmission(ctx, d.admin, d.root); err != nil {
		return err
	}
	files, _ := testenv.AdmissionManifests(d.root)
	for _, f := range files {
		fmt.Printf("    applied %s\n", rel(d.root, f))
	}
	fmt.Printf("    ValidatingAdmissionPolicy %s is enforced (%s)\n", testenv.PolicyName, since(t))

	step("Namespace " + namespace + ", users and kubeconfigs")
	if err := d.addUsers(ctx); err != nil {
		return err
	}

	step("Starting mailpit, which receives the demo's email")
	if err := d.startMailpit(ctx); err != nil {
		return err
	}
	fmt.Printf("    SMTP %s:%d, web page %s: log %s\n", d.mail.SMTPHost, d.mail.SMTPPort, d.mail.URL,
		filepath.Join(d.relDir, mailpitLog))

	step("The portal's ServiceAccount and RBAC (config/portal): reads, and impersonation for its writes only")
	if err := d.portalIdentity(ctx); err != nil {
		return err
	}

	step("Building and starting the manager")
	t = time.Now()
	if err := <-build; err != nil {
		return err
	}
	if d.manager, err = startManager(ctx, d.opts.manager, d.dir, d.opts.metricsAddr, d.opts.probeAddr,
		d.opts.timeout, d.notificationArgs()...); err != nil {
		return err
	}
	fmt.Printf("    %s (pid %d) is ready: log %s (%s)\n",
		d.opts.manager, d.manager.Pid(), filepath.Join(d.relDir, managerLog), since(t))

	step("Starting the demo's OIDC issuer, the portal and oauth2-proxy in front of it")
	t = time.Now()
	if err := d.startIssuer(); err != nil {
		return err
	}
	fmt.Printf("    %s: its sign-in page lists the demo users\n", d.issuer.URL())
	if err := d.startPortal(ctx); err != nil {
		return err
	}
	fmt.Printf("    %s (pid %d) serves %s read-only without sign-in: log %s\n", d.opts.portal, d.portal.Pid(),
		d.portalURL("/"), filepath.Join(d.relDir, portalLog))
	if err := d.startProxy(ctx); err != nil {
		return err
	}
	fmt.Printf("    %s (pid %d) serves the portal with sign-in at %s: log %s (%s)\n", d.opts.oauth2Proxy, d.proxy.Pid(),
		d.proxyURL("/"), filepath.Join(d.relDir, proxyLog), since(t))

	if err := d.showSamples(ctx); err != nil {
		return err
	}
	if err := d.setUpNotifications(ctx); err != nil {
		return err
	}
	fmt.Printf("\nUp in %s.\n", since(d.started))
	return nil
}

// locate finds the repository root, makes it the working directory, and
// resolves the demo directory against it.
func (d *demo) locate() error {
	var err error
	if d.root, err = findRoot(); err != nil {
		return err
	}
	if err := os.Chdir(d.root); err != nil {
		return err
	}
	d.dir = d.opts.dir
	if !filepath.IsAbs(d.dir) {
		d.dir = filepath.Join(d.root, d.dir)
	}
	d.relDir = rel(d.root, d.dir)
	return nil
}

// showSamples applies the samples, waits for the Role's matrix and prints it.
func (d *demo) showSamples(ctx context.Context) error {
	step("Applying the MLOps Engineer samples (SkillMatrix and Role)")
	t := time.Now()
	proposal, err := d.sampleProposalObject()
	if err != nil {
		return err
	}
	d.proposal = proposal.GetName()
	role, err := d.applySamples(ctx)
	if err != nil {
		return err
	}
	md, err := d.publishMatrix(ctx, role)
	if err != nil {
		return err
	}
	fmt.Printf("    Role %s/%s is Ready (%s)\n", namespace, role.Name, since(t))

	step(fmt.Sprintf("The rendered matrix (ConfigMap %s/%s, key %s)", namespace, role.Status.ConfigMapName, keyMarkdown))
	fmt.Println()
	fmt.Println(md)
	fmt.Printf("    Wrote %s\n", filepath.Join(d.relDir, htmlFile))
	return nil
}

// prepareDir takes the demo's lock, stops what an earlier run left running,
// and recreates the demo directory empty.
func (d *demo) prepareDir() error {
	if err := os.MkdirAll(filepath.Dir(d.dir), 0o755); err != nil {
		return err
	}
	// The lock lives beside the directory, so wiping the directory keeps it.
	lock := d.dir + ".lock"
	var err error
	if d.unlock, err = lockFile(lock); err != nil {
		return fmt.Errorf("cannot lock %s (%v): is another demo running with %s? Stop it first (Ctrl-C in its terminal)",
			rel(d.root, lock), err, d.relDir)
	}
	// A demo that was killed (SIGKILL) cannot stop its children: find them by
	// the demo directory in their command line.
	stopLeftovers(d.dir, []string{filepath.Base(d.opts.manager), filepath.Base(d.opts.portal),
		filepath.Base(d.opts.oauth2Proxy), apiserverBin, etcdBin})
	if err := os.RemoveAll(d.dir); err != nil {
		return fmt.Errorf("wiping %s: %w", d.relDir, err)
	}
	return os.MkdirAll(d.dir, 0o755)
}

// startControlPlane starts etcd and kube-apiserver with envtest, with their
// data and certificates under the demo directory, and writes the admin
// kubeconfig.
func (d *demo) startControlPlane(assets string) error {
	// envtest logs retries through controller-runtime's logger.
	envLog, err := os.Create(filepath.Join(d.dir, "envtest.log"))
	if err != nil {
		return err
	}
	logf.SetLogger(zap.New(zap.WriteTo(envLog)))
	apiLog, err := os.Create(filepath.Join(d.dir, "kube-apiserver.log"))
	if err != nil {
		return err
	}
	etcdLog, err := os.Create(filepath.Join(d.dir, "etcd.log"))
	if err != nil {
		return err
	}

	// On Linux these are links that give both a parent-death signal
	// (sys_linux.go), so they die with the demo however it ends.
	etcdPath, apiserverPath, restoreEnv, err := controlPlanePaths(d.dir, assets)
	if err != nil {
		return err
	}
	defer restoreEnv()
	d.env = &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(d.root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: assets,
		// A cold first start on a small machine can take longer than envtest's 20s.
		ControlPlaneStartTimeout: time.Minute,
		ControlPlaneStopTimeout:  20 * time.Second,
		ControlPlane: envtest.ControlPlane{
			Etcd: &envtest.Etcd{Path: etcdPath, DataDir: filepath.Join(d.dir, etcdBin), Out: etcdLog, Err: etcdLog},
			APIServer: &envtest.APIServer{
				Path: apiserverPath, CertDir: filepath.Join(d.dir, apiserverBin), Out: apiLog, Err: apiLog,
			},
		},
	}
	for _, sub := range []string{etcdBin, apiserverBin} {
		if err := os.MkdirAll(filepath.Join(d.dir, sub), 0o700); err != nil {
			return err
		}
	}
	cfg, err := d.env.Start()
	if err != nil {
		return fmt.Errorf("starting the control plane (logs in %s): %w", d.relDir, err)
	}
	if err := os.WriteFile(filepath.Join(d.dir, adminKubeconfig), d.env.KubeConfig, 0o600); err != nil {
		return err
	}
	d.admin, err = client.New(cfg, client.Options{Scheme: scheme})
	return err
}

// stop ends everything the demo started, in order: the manager, then the API
// server, then etcd. It is safe to call after a partial set-up. Processes
// that do not stop in time are killed; the error reports them.
func (d *demo) stop() error {
	if d.manager == nil && d.env == nil {
		return nil
	}
	t := time.Now()
	fmt.Println("\nStopping...")
	var stopped []string
	var errs []error
	if d.proxy != nil {
		if err := d.proxy.Stop(managerStopTimeout); err != nil {
			errs = append(errs, fmt.Errorf("oauth2-proxy: %w", err))
		}
		stopped = append(stopped, "oauth2-proxy")
	}
	if d.issuer != nil {
		_ = d.issuer.Close()
		stopped = append(stopped, "the OIDC issuer")
	}
	if d.portal != nil {
		if err := d.portal.Stop(managerStopTimeout); err != nil {
			errs = append(errs, fmt.Errorf("portal: %w", err))
		}
		stopped = append(stopped, "portal")
	}
	if d.manager != nil {
		if err := d.manager.Stop(managerStopTimeout); err != nil {
			errs = append(errs, fmt.Errorf("manager: %w", err))
		}
		stopped = append(stopped, "manager")
	}
	if d.env != nil {
		if err := d.env.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("control plane: %w", err))
		}
		stopped = append(stopped, apiserverBin, etcdBin)
	}
	if d.mail != nil {
		d.stopMailpit()
		stopped = append(stopped, "mailpit")
	}
	err := errors.Join(errs...)
	if err != nil {
		fmt.Fprintf(os.Stderr, "Stopping: %v\n", err)
	}
	fmt.Printf("Stopped %s (%s). Logs and data stay in %s until the next run.\n",
		strings.Join(stopped, ", "), since(t), d.relDir)
	return err
}

// scheme knows the built-in kinds and the operator's.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(careerv1alpha1.AddToScheme(s))
	return s
}()

// findRoot returns the repository root: the working directory or the nearest
// parent whose go.mod declares this module.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(data), "module "+modulePath+"\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run the demo from the skillmatrix-operator repository (no go.mod of " +
				modulePath + " here or above)")
		}
		dir = parent
	}
}

// choosePorts gives the manager's addresses whose port is 0 a free port,
// and fails early, naming the flag to change, when an explicit address is
// taken.
func (d *demo) choosePorts() error {
	for _, a := range []struct {
		flag string
		addr *string
	}{
		{"-metrics-bind-address", &d.opts.metricsAddr},
		{"-health-probe-bind-address", &d.opts.probeAddr},
		{"-portal-bind-address", &d.opts.portalAddr},
		{"-portal-health-probe-bind-address", &d.opts.portalProbeAddr},
		{"-proxy-bind-address", &d.opts.proxyAddr},
		{"-issuer-bind-address", &d.opts.issuerAddr},
	} {
		if *a.addr == "" {
			continue // not used (the tests' options)
		}
		if *a.addr == "0" && a.flag == "-metrics-bind-address" {
			continue // metrics off
		}
		free, err := managerproc.FreeAddress(*a.addr)
		if err != nil {
			return fmt.Errorf("%s: %w", a.flag, err)
		}
		if free != *a.addr {
			*a.addr = free
			continue
		}
		l, err := net.Listen("tcp", free)
		if err != nil {
			return fmt.Errorf("the manager cannot listen on %s (%v): free it, or pass %s=127.0.0.1:0 for a free port",
				free, err, a.flag)
		}
		_ = l.Close()
	}
	return nil
}

// defaultManagerPorts are the ports cmd/main.go and kubebuilder's scaffold
// use by default for metrics (HTTP) and health probes, where other local
// operators or dev servers are often listening.
var defaultManagerPorts = []string{"8080", "8081"}

// holdDefaultPorts listens on 127.0.0.1 on each of defaultManagerPorts that
// is free and not named by the addresses the demo was given, until release
// is called: a check run then fails if anything in it still needs them.
func holdDefaultPorts(addrs ...string) (release func()) {
	var held []net.Listener
	var shown []string
	for _, port := range defaultManagerPorts {
		if slices.ContainsFunc(addrs, func(a string) bool { _, p, _ := net.SplitHostPort(a); return p == port }) {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
		if err != nil {
			shown = append(shown, port+" (already in use)")
			continue
		}
		held = append(held, l)
		shown = append(shown, port)
	}
	if len(shown) > 0 {
		fmt.Printf("    ports %s are busy during the check: the demo must not need them\n", strings.Join(shown, ", "))
	}
	return func() {
		for _, l := range held {
			_ = l.Close()
		}
	}
}

// step prints the heading of a set-up step.
func step(s string) { fmt.Printf("==> %s\n", s) }

// since formats the time elapsed since t.
func since(t time.Time) string { return time.Since(t).Round(100 * time.Millisecond).String() }

// rel returns path relative to root when it lies inside root.
func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}
