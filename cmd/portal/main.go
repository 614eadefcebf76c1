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

// Command portal serves the operator's career portal (internal/portal) from
// an informer cache of SkillMatrices, Roles and Proposals. It runs as a
// Deployment of its own beside the manager, from the same image, with a
// ServiceAccount that may get, list and watch those three kinds and, when
// sign-in is on (--oidc-issuer-url or --authentication-config), impersonate
// the signed-in person for the portal's writes only. docs/portal.md
// describes it.
package main

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

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
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render/pdf"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/scope"
)

var setupLog = ctrl.Log.WithName("setup")

type flags struct {
	bindAddr, metricsAddr, probeAddr, publicURL, namespaces string
	secureMetrics                                           bool
	zapOpts                                                 zap.Options

	// Sign-in (docs/portal.md, "Sign-in").
	issuerURL, clientID, usernameClaim, usernamePrefix, groupsClaim, groupsPrefix string
	requiredClaims                                                                []string
	caFile, authConfig, sessionKeyFile, clientSecretFile                          string
	login                                                                         bool
	signInURL, signOutURL                                                         string
	writesPerMinute                                                               float64
	writeBurst                                                                    int
	pdfFont                                                                       string
}

// stringsFlag is a repeatable flag.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

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
	bindSignInFlags(&f)
	f.zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()
	return f
}

// bindSignInFlags adds the sign-in flags (docs/portal.md, "Sign-in").
func bindSignInFlags(f *flags) {
	flag.StringVar(&f.issuerURL, "oidc-issuer-url", "",
		"Sign-in: the OIDC issuer whose ID tokens the portal accepts, as the API server's --oidc-issuer-url. "+
			"Without it (and without --authentication-config) the portal is read-only.")
	flag.StringVar(&f.clientID, "oidc-client-id", "",
		"Sign-in: the audience the tokens must name (the client ID), as --oidc-client-id.")
	flag.StringVar(&f.usernameClaim, "oidc-username-claim", "sub",
		"Sign-in: the claim that names the user, as --oidc-username-claim.")
	flag.StringVar(&f.usernamePrefix, "oidc-username-prefix", "",
		"Sign-in: prepended to the username, as --oidc-username-prefix: unset means \"<issuer>#\" "+
			"unless the claim is email; \"-\" means none.")
	flag.StringVar(&f.groupsClaim, "oidc-groups-claim", "",
		"Sign-in: the claim that lists the user's groups, as --oidc-groups-claim.")
	flag.StringVar(&f.groupsPrefix, "oidc-groups-prefix", "", "Sign-in: prepended to each group, as --oidc-groups-prefix.")
	flag.Var((*stringsFlag)(&f.requiredClaims), "oidc-required-claim",
		"Sign-in: key=value a token must carry, as --oidc-required-claim; repeatable.")
	flag.StringVar(&f.caFile, "oidc-ca-file", "",
		"Sign-in: PEM certificates to trust for the issuer (discovery, keys, tokens).")
	flag.StringVar(&f.authConfig, "authentication-config", "",
		"Sign-in: the API server's AuthenticationConfiguration file (its jwt issuers with claim-and-prefix mappings), "+
			"instead of the --oidc-* flags.")
	flag.StringVar(&f.sessionKeyFile, "session-key-file", "",
		"Sign-in: a file with at least 32 random bytes (a Secret) that signs the forms and encrypts the session "+
			"cookie; the same in every replica. Without it a random key is made at start: forms and sessions do not "+
			"survive a restart.")
	flag.BoolVar(&f.login, "oidc-login", false,
		"Sign-in: the portal's own login (authorization code flow with PKCE) at /login, with --oidc-client-id, "+
			"--oidc-client-secret-file and --public-url (the identity provider must know <public-url>/login/callback).")
	flag.StringVar(&f.clientSecretFile, "oidc-client-secret-file", "",
		"Sign-in: the client secret of the portal's own login.")
	flag.StringVar(&f.signInURL, "sign-in-url", "",
		"Sign-in behind a proxy: where \"Sign in\" leads, {rd} replaced by the address to return to "+
			"(oauth2-proxy: /oauth2/start?rd={rd}).")
	flag.StringVar(&f.signOutURL, "sign-out-url", "",
		"Sign-in behind a proxy: where signing out leads (oauth2-proxy: /oauth2/sign_out?rd=/).")
	flag.Float64Var(&f.writesPerMinute, "writes-per-minute", 30,
		"Writes one person may make per minute through the portal.")
	flag.IntVar(&f.writeBurst, "write-burst", 10,
		"Writes one person may make at once before --writes-per-minute applies.")
	flag.StringVar(&f.pdfFont, "pdf-font", "", "A TrueType font for the PDFs' characters the bundled fonts lack (CJK).")
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
	if opts.Auth, err = authOptions(f); err != nil {
		setupLog.Error(err, "Invalid sign-in settings")
		os.Exit(1)
	}
	if f.pdfFont != "" {
		if opts.PDFFont, err = pdf.LoadFont(f.pdfFont); err != nil {
			setupLog.Error(err, "Invalid --pdf-font")
			os.Exit(1)
		}
	}
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

// authOptions are the sign-in settings of the flags; nil without an issuer.
func authOptions(f flags) (*portal.AuthOptions, error) {
	issuers, cas, err := issuersOf(f)
	if err != nil || issuers == nil {
		return nil, err
	}
	a := &portal.AuthOptions{Issuers: issuers, SignInURL: f.signInURL, SignOutURL: f.signOutURL,
		WritesPerMinute: f.writesPerMinute, WriteBurst: f.writeBurst}
	if f.caFile != "" {
		data, err := os.ReadFile(f.caFile)
		if err != nil {
			return nil, err
		}
		cas = append(cas, string(data))
	}
	if a.HTTPClient, err = trusting(cas); err != nil {
		return nil, err
	}
	if a.SessionKey, err = sessionKey(f.sessionKeyFile); err != nil {
		return nil, err
	}
	if f.login {
		if f.publicURL == "" || f.clientSecretFile == "" || f.clientID == "" && f.authConfig == "" {
			return nil, errors.New("--oidc-login needs --public-url, --oidc-client-secret-file and a client ID")
		}
		secret, err := os.ReadFile(f.clientSecretFile)
		if err != nil {
			return nil, err
		}
		a.Login = &portal.LoginOptions{ClientID: cmp.Or(f.clientID, issuers[0].Audiences[0]),
			ClientSecret: strings.TrimSpace(string(secret)),
			RedirectURL:  strings.TrimSuffix(f.publicURL, "/") + "/login/callback"}
	}
	return a, nil
}

// issuersOf reads the issuers of --authentication-config or the --oidc-*
// flags, with the certificate authorities the configuration names; none
// when neither is given.
func issuersOf(f flags) ([]portal.Issuer, []string, error) {
	switch {
	case f.authConfig != "" && f.issuerURL != "":
		return nil, nil, errors.New("give --authentication-config or --oidc-issuer-url, not both")
	case f.authConfig != "":
		data, err := os.ReadFile(f.authConfig)
		if err != nil {
			return nil, nil, err
		}
		issuers, cas, err := portal.ParseAuthenticationConfig(data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f.authConfig, err)
		}
		return issuers, cas, nil
	case f.issuerURL != "":
		required := map[string]string{}
		for _, kv := range f.requiredClaims {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return nil, nil, fmt.Errorf("--oidc-required-claim %q: want key=value", kv)
			}
			required[k] = v
		}
		iss, err := portal.LegacyIssuer(f.issuerURL, f.clientID, f.usernameClaim, f.usernamePrefix, f.groupsClaim,
			f.groupsPrefix, required)
		if err != nil {
			return nil, nil, err
		}
		return []portal.Issuer{iss}, nil, nil
	}
	setupLog.Info("No sign-in configured (--oidc-issuer-url, --authentication-config): the portal is read-only")
	return nil, nil, nil
}

// trusting is an HTTP client that trusts the PEM certificate authorities
// cas; nil (the default client) when there are none.
func trusting(cas []string) (*http.Client, error) {
	if len(cas) == 0 {
		return nil, nil
	}
	pool := x509.NewCertPool()
	for _, pem := range cas {
		if !pool.AppendCertsFromPEM([]byte(pem)) {
			return nil, errors.New("the issuer's certificate authority holds no PEM certificate")
		}
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{Proxy: http.ProxyFromEnvironment,
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}, nil
}

// sessionKey reads the session key from file, or makes a random one.
func sessionKey(file string) ([]byte, error) {
	if file != "" {
		key, err := os.ReadFile(file)
		return bytes.TrimSpace(key), err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	setupLog.Info("No --session-key-file: a random session key was made; forms and sessions do not survive a " +
		"restart and do not work across replicas")
	return key, nil
}
