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

// Command bench measures the operator on an envtest control plane and writes
// docs/performance.md: cold convergence against a plain-client baseline,
// writes in steady state and after one SkillMatrix edit, governance latency,
// memory, and the domain packages' go test benchmarks.
//
//	go run ./hack/bench -n 100,500,1000 -out docs/performance.md
//
// The manager runs as a process of its own, as in a cluster: the binary
// built from ./cmd ("shipped") and, to evaluate controller-runtime options
// before they are proposed, this harness re-executed in manager mode with
// those options ("tuned"). See docs/performance.md for the method.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/api/resource"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/memlimit"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// settings hold the command line.
type settings struct {
	root         string
	sizes        []int
	out          string
	variants     []string
	steady       time.Duration
	govProposals int
	govRoles     int
	// writeBackProposals are decided at once with Git write-back on.
	writeBackProposals int
	baselineWorkers    int
	gobench            bool
	benchtime          string
	timeout            time.Duration
	tuned              tunedOptions
	logDir             string
	// binaries are extra variants: prebuilt managers (for instance built
	// with go build -overlay to measure a proposed controller change),
	// run with the shipped binary's flags.
	binaries []namedValue
	notes    map[string]string
	env      map[string][]string
	// raw keeps the measurements as JSON; rerender renders a report from
	// such a file without measuring.
	raw, rerender string
	// portalRoles, portalClients and portalRequests size the portal
	// section (portal.go); no portalRoles skips it.
	portalRoles, portalClients, portalRequests int
	// cpuProfileDir receives CPU profiles of each cold convergence
	// (manager.go profileCPU); empty takes none.
	cpuProfileDir string
	// scale measures only the scale curve and replaces only its block of
	// -out (scale.go); fitRaw adds another run's memory figures to its fit.
	scale  bool
	fitRaw string
	// noEdit skips the SkillMatrix edit after cold convergence, noBaseline
	// the plain-client baseline (no ratio then).
	noEdit, noBaseline bool
	// floor measures the plain-client floor under the governance burst
	// and the single decisions (floor.go).
	floor bool
}

// namedValue is a name=value command-line argument.
type namedValue struct{ name, value string }

// namedValues is a repeatable name=value flag.
type namedValues []namedValue

func (n *namedValues) String() string { return fmt.Sprint(*n) }

func (n *namedValues) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" || value == "" {
		return fmt.Errorf("want name=value, got %q", s)
	}
	*n = append(*n, namedValue{name, value})
	return nil
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == managerModeArg {
		os.Exit(runManager(os.Args[2:]))
	}
	cfg, err := parseFlags()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	// The harness's own informers log only on trouble, which the run
	// reports through its errors.
	logf.SetLogger(logr.Discard())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		stop()
		os.Exit(1)
	}
}

func parseFlags() (settings, error) {
	var (
		c                settings
		sizes, variants  string
		roleConcurrency  int
		maxConcurrent    int
		stripManagedFlds bool
	)
	flag.StringVar(&c.root, "root", ".", "repository root")
	flag.StringVar(&sizes, "n", "100,500,1000", "numbers of Roles for cold convergence, comma-separated")
	flag.StringVar(&c.out, "out", "docs/performance.md", "report to write; empty for none")
	flag.StringVar(&variants, "variants", "shipped", "managers to measure: shipped (./cmd as built), tuned")
	flag.DurationVar(&c.steady, "steady", 60*time.Second, "steady-state window with nothing changing; 0 skips it")
	flag.IntVar(&c.govProposals, "gov-proposals", 200, "open Proposals decided at once; 0 skips governance")
	flag.IntVar(&c.govRoles, "gov-roles", 50, "Roles the Proposals are spread over")
	flag.IntVar(&c.writeBackProposals, "writeback-proposals", 20, "Git write-back: Proposals decided at once; 0 skips it")
	flag.IntVar(&c.baselineWorkers, "baseline-workers", 16, "concurrent writers of the plain-client baseline")
	flag.BoolVar(&c.gobench, "gobench", true, "run the domain packages' go test benchmarks")
	flag.BoolVar(&c.floor, "floor", true, "measure the plain-client floor under the governance burst and single decisions")
	flag.StringVar(&c.benchtime, "benchtime", "1s", "go test -benchtime")
	flag.DurationVar(&c.timeout, "timeout", 15*time.Minute, "limit for one convergence")
	flag.StringVar(&c.raw, "raw", "", "also write the measurements as JSON to this file")
	flag.StringVar(&c.rerender, "rerender", "", "render -out from a -raw JSON file instead of measuring")
	flag.StringVar(&c.cpuProfileDir, "cpuprofile", "",
		"directory for CPU profiles of the manager during each cold convergence (it runs with --pprof-bind-address); "+
			"empty for none. Merge a run's profiles with go tool pprof DIR/cpu-shipped-1000-*.pprof")
	flag.BoolVar(&c.scale, "scale", false,
		"measure the scale curve only (baseline, cold convergence, the edit and memory at each -n) and replace only "+
			"its section of -out, keeping the rest of the page (make bench-scale)")
	flag.BoolVar(&c.noEdit, "no-edit", false, "skip the SkillMatrix edit after each cold convergence (-scale skips it)")
	flag.BoolVar(&c.noBaseline, "no-baseline", false, "skip the plain-client baseline: cold convergence without a ratio")
	flag.StringVar(&c.fitRaw, "fit-raw", "",
		"-scale: a -raw file of make bench whose memory figures (same variant environment) join the fitted line")
	flag.StringVar(&c.logDir, "logs", "", "directory for manager logs (default: a temporary directory)")
	flag.BoolVar(&stripManagedFlds, "tuned-strip-managed-fields", false,
		"tuned: cache transform dropping managedFields (shipped in CacheOptions since it was measured here)")
	flag.IntVar(&maxConcurrent, "tuned-max-concurrent-reconciles", 4,
		"tuned: MaxConcurrentReconciles of the Proposal and SkillMatrix controllers")
	flag.IntVar(&roleConcurrency, "tuned-role-concurrency", 4, "tuned: Role controller concurrency")
	var binaries, notes, env namedValues
	flag.IntVar(&c.portalRoles, "portal-roles", 1000, "Roles the portal section serves; 0 skips it")
	flag.IntVar(&c.portalClients, "portal-clients", 50, "concurrent clients of the portal section")
	flag.IntVar(&c.portalRequests, "portal-requests", 5000, "requests per route of the portal section")
	flag.Var(&binaries, "binary", "extra variant name=path of a prebuilt manager, run like the shipped one (repeatable)")
	flag.Var(&notes, "describe", "name=text describing an extra variant in the report (repeatable)")
	flag.Var(&env, "env", "name=KEY=VALUE: an environment variable for a variant's process, e.g. GOMEMLIMIT (repeatable)")
	flag.Parse()
	c.env = map[string][]string{}
	for _, e := range env {
		c.env[e.name] = append(c.env[e.name], e.value)
	}
	c.binaries = binaries
	c.notes = map[string]string{}
	for _, n := range notes {
		c.notes[n.name] = n.value
	}
	for s := range strings.SplitSeq(sizes, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return c, fmt.Errorf("-n: %q is not a positive number", s)
		}
		c.sizes = append(c.sizes, n)
	}
	for v := range strings.SplitSeq(variants, ",") {
		switch v = strings.TrimSpace(v); v {
		case variantShipped, variantTuned:
			c.variants = append(c.variants, v)
		case "":
		default:
			return c, fmt.Errorf("-variants: unknown variant %q", v)
		}
	}
	if c.scale {
		c.gobench, c.steady, c.govProposals, c.writeBackProposals, c.portalRoles = false, 0, 0, 0, 0
		c.noEdit = true
	}
	c.tuned = tunedOptions{StripManagedFields: stripManagedFlds, MaxConcurrentReconciles: maxConcurrent,
		RoleConcurrency: roleConcurrency, QPS: -1}
	return c, nil
}

func logln(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func run(ctx context.Context, c settings) error {
	root, err := filepath.Abs(c.root)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return fmt.Errorf("-root %s is not the repository root: %w", root, err)
	}
	if c.rerender != "" {
		return rerender(root, c)
	}
	assets, err := testenv.AssetsDir(ctx, root, os.Stderr)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "skillmatrix-bench-run-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(work) }()
	if c.logDir == "" {
		c.logDir = filepath.Join(work, "logs")
	}
	if err := os.MkdirAll(c.logDir, 0o755); err != nil {
		return err
	}
	variants, err := buildVariants(ctx, root, work, c)
	if err != nil {
		return err
	}
	s, err := loadSamples(root)
	if err != nil {
		return err
	}

	res := &results{Machine: describeMachine(), Started: time.Now(), Variants: variants, Assets: assets,
		Sizes: c.sizes, Steady: c.steady, GovProposals: c.govProposals, GovRoles: c.govRoles,
		BaselineWorkers: c.baselineWorkers, Benchtime: c.benchtime, TunedMaxConcurrent: c.tuned.MaxConcurrentReconciles,
		Command: commandLine()}
	one, err := expectedFor(s.matrix, s.newRoles(benchNamespace, s.matrix.Name, 1)[0])
	if err != nil {
		return err
	}
	res.ConfigMapKiB = one.payload.Size / 1024
	b := &bench{cfg: c, root: root, assets: assets, samples: s, logDir: c.logDir}

	if err := b.measure(ctx, res, variants); err != nil {
		return err
	}
	res.Finished = time.Now()
	if err := writeRaw(res, c.raw); err != nil {
		return err
	}
	return writeReport(res, root, c)
}

// writeRaw writes the measurements as JSON to path, if one is given.
func writeRaw(res *results, path string) error {
	if path == "" {
		return nil
	}
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// checkpoint keeps what a long run measured so far: the -raw file, and in a
// scale run its section too, so a run stopped before its largest N still
// leaves the figures of the others (-rerender renders them again).
func (b *bench) checkpoint(res *results) error {
	res.Finished = time.Now()
	if err := writeRaw(res, b.cfg.raw); err != nil {
		return err
	}
	if !b.cfg.scale {
		return nil
	}
	return writeReport(res, b.root, b.cfg)
}

// rerender writes the report of a -raw file without measuring.
func rerender(root string, c settings) error {
	data, err := os.ReadFile(c.rerender)
	if err != nil {
		return err
	}
	var res results
	if err := json.Unmarshal(data, &res); err != nil {
		return fmt.Errorf("%s: %w", c.rerender, err)
	}
	return writeReport(&res, root, c)
}

// measure runs the go test benchmarks, then per N the baseline and every
// variant cold, then governance per variant, into res.
func (b *bench) measure(ctx context.Context, res *results, variants []variant) error {
	c := b.cfg
	var err error
	if c.gobench {
		logln("go test -bench on the domain packages")
		if res.GoBench, err = runGoBench(ctx, b.root, c.benchtime); err != nil {
			return err
		}
		res.Renderers = benchRenderers(b.samples)
	}
	for _, n := range c.sizes {
		if !c.noBaseline {
			logln("N=%d: plain-client baseline", n)
			base, err := b.baseline(ctx, n)
			if err != nil {
				return fmt.Errorf("baseline N=%d: %w", n, err)
			}
			res.Baseline = append(res.Baseline, base)
		}
		for _, v := range variants {
			logln("N=%d: %s manager", n, v.Name)
			cold, err := b.cold(ctx, n, v)
			if err != nil {
				return fmt.Errorf("cold convergence N=%d %s: %w", n, v.Name, err)
			}
			res.Cold = append(res.Cold, cold)
			if err := b.checkpoint(res); err != nil {
				return err
			}
		}
	}
	if err := b.measureWriteBack(ctx, res, variants); err != nil {
		return err
	}
	if c.portalRoles > 0 && len(variants) > 0 {
		logln("portal: %d Roles, %d clients", c.portalRoles, c.portalClients)
		if res.Portal, err = b.portal(ctx, variants[0]); err != nil {
			return fmt.Errorf("portal: %w", err)
		}
	}
	if c.govProposals <= 0 {
		return nil
	}
	for _, v := range variants {
		logln("governance: %d Proposals over %d Roles, %s manager", c.govProposals, c.govRoles, v.Name)
		g, err := b.governance(ctx, v)
		if err != nil {
			return fmt.Errorf("governance %s: %w", v.Name, err)
		}
		res.Governance = append(res.Governance, g)
	}
	return b.measureFloor(ctx, res, variants)
}

// writeReport renders the results to c.out (relative to root), or to
// standard output when it is empty. A full report keeps the scale block of
// the page it replaces; a scale run (-scale) replaces only that block.
func writeReport(res *results, root string, c settings) error {
	out := c.out
	if out != "" && !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	var existing string
	if out != "" {
		data, err := os.ReadFile(out)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		existing = string(data)
	}
	var doc string
	if c.scale {
		var extra *results
		if c.fitRaw != "" {
			var err error
			if extra, err = readResults(c.fitRaw); err != nil {
				return fmt.Errorf("-fit-raw: %w", err)
			}
		}
		block := res.scaleSection(extra, memlimit.Fraction)
		if existing == "" {
			existing = "# Performance and scale\n"
		}
		doc = spliceScale(existing, block)
	} else {
		doc = spliceScale(res.markdown(), scaleBlock(existing))
	}
	if out == "" {
		_, err := os.Stdout.WriteString(doc)
		return err
	}
	logln("writing %s", out)
	return os.WriteFile(out, []byte(doc), 0o644)
}

// commandLine is how this run was invoked, for the report: the flags as
// given, with -describe texts left out (the report lists them).
func commandLine() string {
	parts := []string{"go run ./hack/bench"}
	skip := false
	for _, a := range os.Args[1:] {
		switch {
		case skip:
			skip = false
		case a == "-describe" || a == "--describe":
			skip = true
		case strings.HasPrefix(a, "-describe=") || strings.HasPrefix(a, "--describe="):
		default:
			parts = append(parts, a)
		}
	}
	return strings.Join(parts, " ")
}

// buildVariants builds the shipped manager from ./cmd and points the tuned
// variant at this executable.
func buildVariants(ctx context.Context, root, work string, c settings) ([]variant, error) {
	var out []variant
	for _, name := range c.variants {
		switch name {
		case variantShipped:
			bin := filepath.Join(work, "manager")
			logln("go build -o %s ./cmd", bin)
			cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd")
			cmd.Dir, cmd.Stdout, cmd.Stderr = root, os.Stderr, os.Stderr
			if err := cmd.Run(); err != nil {
				return nil, fmt.Errorf("building the manager: %w", err)
			}
			env, err := podMemoryEnv(root, c.env[name])
			if err != nil {
				return nil, err
			}
			out = append(out, variant{Name: name, bin: bin, Env: env,
				Options: "cmd/main.go as built, with its default flags (Role and Proposal concurrency 4, " +
					"SkillMatrix 1, no client-side rate limit) and the soft memory limit it sets itself in a Pod " +
					"with the chart's default memory limit"})
		case variantTuned:
			self, err := os.Executable()
			if err != nil {
				return nil, err
			}
			out = append(out, variant{Name: name, bin: self, args: c.tuned.args(), Env: c.env[name],
				Options: c.tuned.String()})
		}
	}
	for _, b := range c.binaries {
		bin, err := filepath.Abs(b.value)
		if err != nil {
			return nil, err
		}
		note := c.notes[b.name]
		if note == "" {
			note = "prebuilt manager " + b.value
		}
		out = append(out, variant{Name: b.name, bin: bin, Env: c.env[b.name], Options: note})
	}
	if len(out) == 0 {
		return nil, errors.New("no variant to measure")
	}
	return out, nil
}

// podMemoryEnv returns env plus the GOMEMLIMIT the manager gives itself
// (internal/memlimit) in a Pod with the chart's default memory limit: the
// harness runs it outside any cgroup, so it passes the same value explicitly.
// An explicit GOMEMLIMIT in env wins, as it does in a Pod.
func podMemoryEnv(root string, env []string) ([]string, error) {
	if slices.ContainsFunc(env, func(e string) bool { return strings.HasPrefix(e, "GOMEMLIMIT=") }) {
		return env, nil
	}
	data, err := os.ReadFile(filepath.Join(root, "charts", "skillmatrix-operator", "values.yaml"))
	if err != nil {
		return nil, err
	}
	var values struct {
		Resources struct {
			Limits map[string]string `json:"limits"`
		} `json:"resources"`
	}
	if err := yaml.Unmarshal(data, &values); err != nil {
		return nil, fmt.Errorf("reading the chart's values: %w", err)
	}
	limit, err := resource.ParseQuantity(values.Resources.Limits["memory"])
	if err != nil {
		return nil, fmt.Errorf("the chart's resources.limits.memory: %w", err)
	}
	soft := int64(float64(limit.Value()) * memlimit.Fraction)
	return append(slices.Clone(env), fmt.Sprintf("GOMEMLIMIT=%d", soft)), nil
}

// machine describes where the figures come from.
type machine struct {
	CPUs    int
	CPU     string
	Memory  string
	Go      string
	OS      string
	Kube    string
	Nproc   string
	FreeOut string
}

func describeMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if out, err := exec.Command("nproc").Output(); err == nil {
		m.Nproc = strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("free", "-g").Output(); err == nil {
		m.FreeOut = strings.TrimRight(string(out), "\n")
	}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}
