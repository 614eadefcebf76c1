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

// Command bench measures the operator on an envtest control plane: cold
// convergence against a plain-client baseline, writes in steady state and
// after one SkillMatrix edit, governance latency against a plain-client
// floor, Git write-back, the portal, memory, and the domain packages' go
// test benchmarks. It writes the measurements as JSON (-raw) and renders
// docs/performance.md from that JSON alone, through performance.md.tmpl:
//
//	go run ./hack/bench -n 100,500,1000 -raw docs/performance.json -out docs/performance.md
//	go run ./hack/bench -rerender docs/performance.json -out docs/performance.md
//
// The manager runs as a process of its own, as in a cluster: the binary
// built from ./cmd ("shipped") and any prebuilt binary (-binary), each with
// its own environment (-env) and extra flags (-args).
package main

import (
	"cmp"
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
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/skillmatrix-dev/skillmatrix-operator/hack/bench/internal/plane"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

type settings struct {
	root, out, raw, rerender, logDir, benchtime, cpuProfileDir string
	sizes, bursts                                              []int
	shipped, floor, gobench, scale, noEdit, noBaseline         bool
	notifications                                              bool
	steady, timeout                                            time.Duration
	govProposals, govRoles, govRounds, writeBackProposals      int
	baselineWorkers                                            int
	portalRoles, portalClients, portalRequests, portalVotes    int
	// binaries are the -binary flags in order, name and path each.
	binaries         [][2]string
	notes, env, args map[string][]string
}

func main() {
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
	var sizes, variants, bursts string
	c := settings{notes: map[string][]string{}, env: map[string][]string{}, args: map[string][]string{}}
	// named is a repeatable name=value flag, each value kept under its name.
	named := func(flagName, usage string, into func(name, value string)) {
		flag.Func(flagName, usage, func(s string) error {
			name, value, ok := strings.Cut(s, "=")
			if !ok || name == "" || value == "" {
				return fmt.Errorf("want name=value, got %q", s)
			}
			into(name, value)
			return nil
		})
	}
	byName := func(m map[string][]string) func(name, value string) {
		return func(name, value string) { m[name] = append(m[name], value) }
	}
	flag.StringVar(&c.root, "root", ".", "repository root")
	flag.StringVar(&sizes, "n", "100,500,1000", "numbers of Roles for cold convergence, comma-separated")
	flag.StringVar(&c.out, "out", "docs/performance.md", "page to render; empty for standard output")
	flag.StringVar(&c.raw, "raw", "", "JSON file of the measurements, which the page is rendered from; "+
		"a scale run (-scale) adds its own to the one there, a full run keeps that file's scale curve")
	flag.StringVar(&c.rerender, "rerender", "", "render -out from this -raw file instead of measuring")
	flag.StringVar(&variants, "variants", "shipped", `"shipped" measures ./cmd as built; "" only the -binary ones`)
	named("binary", "name=path: a prebuilt manager measured as a variant of its own (repeatable)",
		func(name, path string) { c.binaries = append(c.binaries, [2]string{name, path}) })
	named("env", "name=KEY=VALUE: an environment variable of a variant's process (repeatable)", byName(c.env))
	named("args", "name=--flag=value: an extra flag of a variant's process (repeatable)", byName(c.args))
	named("describe", "name=text describing a -binary variant on the page", byName(c.notes))
	flag.DurationVar(&c.steady, "steady", time.Minute, "steady-state window with nothing changing; 0 skips it")
	flag.BoolVar(&c.noEdit, "no-edit", false, "skip the SkillMatrix edit after each cold convergence")
	flag.BoolVar(&c.noBaseline, "no-baseline", false, "skip the plain-client baseline: cold convergence without a ratio")
	flag.IntVar(&c.baselineWorkers, "baseline-workers", 16, "concurrent writers of the baseline and the floor")
	flag.StringVar(&bursts, "vote-burst", "100,1000",
		"numbers of voters voting at once on one Proposal, comma-separated; \"\" skips the vote burst")
	flag.IntVar(&c.govProposals, "gov-proposals", 200, "open Proposals decided at once; 0 skips governance")
	flag.IntVar(&c.govRoles, "gov-roles", 50, "Roles the Proposals are spread over")
	flag.IntVar(&c.govRounds, "gov-rounds", 3, "governance bursts one after the other, each of -gov-proposals; "+
		"the burst goal is the median of their p95 ratios")
	flag.BoolVar(&c.floor, "floor", true, "measure the plain-client floor under the governance burst")
	flag.IntVar(&c.writeBackProposals, "writeback-proposals", 20, "Git write-back: Proposals decided at once; 0 skips it")
	flag.BoolVar(&c.notifications, "notifications", true,
		"measure the governance burst told to a webhook, a team mailbox and every Role's followers (mailpit)")
	flag.IntVar(&c.portalRoles, "portal-roles", 1000, "Roles the portal serves; 0 skips the portal")
	flag.IntVar(&c.portalClients, "portal-clients", 50, "concurrent clients of the portal")
	flag.IntVar(&c.portalRequests, "portal-requests", 5000, "requests per portal route")
	flag.IntVar(&c.portalVotes, "portal-votes", 50, "votes through the portal and with the plugin, compared; 0 skips them")
	flag.BoolVar(&c.gobench, "gobench", true, "run the domain packages' go test benchmarks")
	flag.StringVar(&c.benchtime, "benchtime", "1s", "go test -benchtime")
	flag.DurationVar(&c.timeout, "timeout", 15*time.Minute, "limit for one convergence")
	flag.StringVar(&c.logDir, "logs", "", "directory for manager logs (default: a temporary directory)")
	flag.StringVar(&c.cpuProfileDir, "cpuprofile", "", "directory for CPU profiles of each cold convergence "+
		"(go tool pprof DIR/cpu-shipped-1000-*.pprof merges one)")
	flag.BoolVar(&c.scale, "scale", false, "measure the scale curve only: baseline, cold convergence and memory "+
		"at each -n (make bench-scale)")
	flag.Parse()
	if c.govRounds < 1 {
		return c, fmt.Errorf("-gov-rounds: %d is not a positive number", c.govRounds)
	}
	c.shipped = variants == variantShipped
	if !c.shipped && variants != "" {
		return c, fmt.Errorf("-variants: %q is neither shipped nor empty (prebuilt managers: -binary)", variants)
	}
	var err error
	if c.sizes, err = positives("-n", sizes); err != nil {
		return c, err
	}
	if c.bursts, err = positives("-vote-burst", bursts); err != nil {
		return c, err
	}
	if c.scale {
		c.gobench, c.steady, c.govProposals, c.writeBackProposals, c.portalRoles, c.noEdit = false, 0, 0, 0, 0, true
		c.bursts, c.notifications = nil, false
	}
	return c, nil
}

func positives(flagName, list string) ([]int, error) {
	var out []int
	for s := range strings.SplitSeq(list, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%s: %q is not a positive number", flagName, s)
		}
		out = append(out, n)
	}
	return out, nil
}

func logln(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// failure is an error a measurement cannot go on from. The measurements
// read as the scripts they are: check and must panic with a failure, and
// step, which runs each, returns it as the step's error (the pattern of
// Effective Go's regexp example). Only the goroutine running a step may
// call them; the goroutines a step starts return their errors.
type failure struct{ error }

// check fails the step with err, if any, saying what failed when given.
func check(err error, what ...string) {
	if err != nil && len(what) > 0 {
		err = fmt.Errorf("%s: %w", strings.Join(what, " "), err)
	}
	if err != nil {
		panic(failure{err})
	}
}

// must is v, failing the step with err, if any.
func must[T any](v T, err error) T {
	check(err)
	return v
}

type bench struct {
	cfg                        settings
	root, assets, work, logDir string
	variants                   []variant
	samples                    samples
	// cleanups release what the step in progress set up, the last first.
	cleanups []func()
}

// cleanup has f run once the step in progress ends, as testing.T.Cleanup.
func (b *bench) cleanup(f func()) { b.cleanups = append(b.cleanups, f) }

// step runs fn and returns its failure, after its cleanups.
func (b *bench) step(name string, fn func()) (err error) {
	defer func() {
		for _, f := range slices.Backward(b.cleanups) {
			f()
		}
		b.cleanups = nil
		switch r := recover().(type) {
		case nil:
		case failure:
			err = fmt.Errorf("%s: %w", name, r.error)
		default:
			panic(r)
		}
	}()
	fn()
	return nil
}

const benchNamespace = "bench"

func run(ctx context.Context, c settings) error {
	root, err := filepath.Abs(c.root)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return fmt.Errorf("-root %s is not the repository root: %w", root, err)
	}
	if c.rerender != "" {
		doc, err := readResults(c.rerender)
		if err != nil {
			return err
		}
		return writePage(doc, root, c)
	}
	// The page keeps what the other kind of run measured: a full run the
	// scale curve, a scale run everything else.
	doc := &results{}
	if c.raw != "" {
		switch doc, err = readResults(c.raw); {
		case errors.Is(err, os.ErrNotExist) && c.scale:
			// The page would lose everything but the scale curve.
			return fmt.Errorf("-scale adds its run to the -raw file of a full run (make bench), and %s does not exist; "+
				"for a page of the scale curve alone write {} to it first", c.raw)
		case errors.Is(err, os.ErrNotExist):
			doc = &results{}
		case err != nil:
			return err
		}
	}
	b := &bench{cfg: c, root: root, logDir: c.logDir}
	if b.work, err = os.MkdirTemp("", "skillmatrix-bench-run-"); err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(b.work) }()
	res := &results{}
	if err := b.step("setting up", func() {
		b.logDir = cmp.Or(b.logDir, filepath.Join(b.work, "logs"))
		check(os.MkdirAll(b.logDir, 0o755))
		b.assets = must(testenv.AssetsDir(ctx, root, os.Stderr))
		b.variants = buildVariants(ctx, root, b.work, c)
		b.samples = loadSamples(root)
		one := expectedFor(b.samples.matrix, b.samples.newRoles(benchNamespace, b.samples.matrix.Name, 1)[0])
		*res = results{Machine: describeMachine(), Started: time.Now(), Variants: b.variants, Assets: b.assets,
			Sizes: c.sizes, Steady: c.steady, GovProposals: c.govProposals, GovRoles: c.govRoles, GovRounds: c.govRounds,
			BaselineWorkers: c.baselineWorkers, Benchtime: c.benchtime, Command: commandLine(),
			ConfigMapKiB: one.payload.Size / 1024}
	}); err != nil {
		return err
	}
	if c.scale {
		doc.Scale = res
	} else {
		res.Scale, doc = doc.Scale, res
	}
	// Every step leaves its figures: a run stopped before its largest N
	// still renders the others.
	checkpoint := func() error {
		res.Finished = time.Now()
		return writePage(doc, root, c)
	}
	for _, s := range b.steps(ctx, res) {
		if err := b.step(s.name, s.run); err != nil {
			return err
		}
		if err := checkpoint(); err != nil {
			return err
		}
	}
	return checkpoint()
}

type step struct {
	name string
	run  func()
}

// steps are the measurements in order, each recording what it measured
// in res: the go test benchmarks, per N the baseline and every variant
// cold, the sections that need one manager, governance per variant, the
// notifications and the governance floor.
func (b *bench) steps(ctx context.Context, res *results) []step {
	c, v := b.cfg, b.variants[0]
	var steps []step
	add := func(on bool, name string, run func()) {
		if on {
			steps = append(steps, step{name, run})
		}
	}
	add(c.gobench, "go test -bench", func() {
		logln("go test -bench on the domain packages")
		res.GoBench, res.Renderers = runGoBench(ctx, b.root, c.benchtime), benchRenderers(b.samples)
	})
	for _, n := range c.sizes {
		add(!c.noBaseline, fmt.Sprintf("baseline N=%d", n), func() {
			logln("N=%d: plain-client baseline", n)
			res.Baseline = append(res.Baseline, b.baseline(ctx, n))
		})
		for _, v := range b.variants {
			add(true, fmt.Sprintf("cold convergence N=%d %s", n, v.Name), func() {
				logln("N=%d: %s manager", n, v.Name)
				res.Cold = append(res.Cold, b.cold(ctx, n, v))
			})
		}
	}
	add(c.writeBackProposals > 0, "git write-back "+v.Name, func() {
		logln("git write-back: %d Proposals over %d Roles, %s manager", c.writeBackProposals, writeBackRoles, v.Name)
		res.WriteBack = append(res.WriteBack, b.writeBack(ctx, v, c.writeBackProposals))
	})
	add(c.portalRoles > 0, "portal", func() {
		logln("portal: %d Roles, %d clients", c.portalRoles, c.portalClients)
		res.Portal = b.portal(ctx, v)
	})
	for _, n := range c.bursts {
		add(true, fmt.Sprintf("vote burst of %d", n), func() {
			logln("vote burst: %d voters on one Proposal, %s manager, and its floor", n, v.Name)
			res.VoteBursts = append(res.VoteBursts, b.burst(ctx, v, n))
		})
	}
	for _, v := range b.variants {
		add(c.govProposals > 0, "governance "+v.Name, func() {
			logln("governance: %d Proposals over %d Roles, %s manager", c.govProposals, c.govRoles, v.Name)
			res.Governance = append(res.Governance, b.governance(ctx, v))
		})
	}
	add(c.govProposals > 0 && c.notifications, "notifications "+v.Name, func() {
		logln("notifications: %d Proposals over %d Roles, %d Follows, %s manager", c.govProposals, c.govRoles,
			len(notifyFollowers)*c.govRoles, v.Name)
		n := b.notifications(ctx, v)
		if g := res.Governance[0]; g.Proposals == n.Proposals && g.Roles == n.Roles && n.Events > 0 {
			n.BaselineCPU = g.CPU["manager"]
			n.PerThousand = (n.CPU["manager"] - n.BaselineCPU) * 1000 / time.Duration(n.Events)
		}
		res.Notifications = &n
	})
	add(c.govProposals > 0 && c.floor, "governance floor", func() {
		// As many batches per round as the first variant's governance made
		// Role applies in that round.
		batches := make([]int, 0, len(res.Governance[0].Rounds))
		for _, r := range res.Governance[0].Rounds {
			batches = append(batches, r.Batches)
		}
		logln("governance floor: %d rounds of %d Proposals over %d Roles in %v batches", c.govRounds, c.govProposals,
			c.govRoles, batches)
		f := b.floor(ctx, v, batches)
		res.GovernanceFloor = &f
	})
	return steps
}

// writePage writes doc to the -raw file and renders the page from those
// bytes, so that -rerender of that file gives the same page.
func writePage(doc *results, root string, c settings) error {
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	if c.raw != "" && c.rerender == "" {
		if err := os.WriteFile(c.raw, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	var fromRaw results
	if err := json.Unmarshal(data, &fromRaw); err != nil {
		return err
	}
	page, err := renderPage(&fromRaw)
	if err != nil {
		return err
	}
	if c.out == "" {
		_, err := os.Stdout.Write(page)
		return err
	}
	out := c.out
	if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	logln("writing %s", out)
	return os.WriteFile(out, page, 0o644)
}

func readResults(path string) (*results, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var res results
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &res, nil
}

// commandLine is how this run was invoked, for the page: -describe texts
// are left out, the page lists them.
func commandLine() string {
	parts := []string{"go run ./hack/bench"}
	skip := false
	for _, a := range os.Args[1:] {
		switch {
		case skip:
			skip = false
		case a == "-describe" || a == "--describe":
			skip = true
		case !strings.HasPrefix(a, "-describe=") && !strings.HasPrefix(a, "--describe="):
			parts = append(parts, a)
		}
	}
	return strings.Join(parts, " ")
}

// buildVariants builds the shipped manager from ./cmd and adds the prebuilt
// ones. Every variant runs with the per-author limit of open Proposals off
// unless its flags set one: the governance measurements have alice open
// hundreds of Proposals at once, which the limit (20 by default) would
// refuse. What the page measures is the decision path, not the limit
// (docs/governance.md measures that).
func buildVariants(ctx context.Context, root, work string, c settings) []variant {
	var out []variant
	if c.shipped {
		bin, env := filepath.Join(work, "manager"), c.env[variantShipped]
		goBuild(ctx, root, bin, "./cmd")
		if !slices.ContainsFunc(env, func(e string) bool { return strings.HasPrefix(e, "GOMEMLIMIT=") }) {
			_, soft, err := plane.SoftLimit(root)
			check(err)
			env = append(slices.Clone(env), fmt.Sprintf("GOMEMLIMIT=%d", soft))
		}
		out = append(out, variant{Name: variantShipped, bin: bin, Env: env, Args: c.args[variantShipped],
			Options: fmt.Sprintf("cmd/main.go as built, with its default flags (Role concurrency %d, Proposal "+
				"concurrency %d, SkillMatrix 1, no client-side rate limit) and the soft memory limit it sets itself "+
				"in a Pod with the chart's default memory limit",
				controller.DefaultRoleConcurrency, controller.DefaultProposalConcurrency)})
	}
	for _, b := range c.binaries {
		name, path := b[0], b[1]
		out = append(out, variant{Name: name, bin: must(filepath.Abs(path)), Env: c.env[name], Args: c.args[name],
			Options: cmp.Or(strings.Join(c.notes[name], " "), "prebuilt manager "+path)})
	}
	if len(out) == 0 {
		check(errors.New("no variant to measure: -variants shipped or -binary name=path"))
	}
	const authorLimit = "--max-open-proposals-per-author"
	for i, v := range out {
		if !slices.ContainsFunc(v.Args, func(a string) bool { return strings.HasPrefix(a, authorLimit) }) {
			out[i].Args = append(slices.Clone(v.Args), authorLimit+"=-1")
		}
	}
	return out
}

func goBuild(ctx context.Context, root, bin, pkg string) {
	logln("go build -o %s %s", bin, pkg)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, os.Stderr, os.Stderr
	check(cmd.Run(), "go build", pkg)
}

type machine struct {
	CPUs                        int
	CPU, Go, OS, Nproc, FreeOut string
}

func describeMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if out, err := exec.Command("nproc").Output(); err == nil {
		m.Nproc = strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("free", "-g").Output(); err == nil {
		m.FreeOut = strings.TrimRight(string(out), "\n")
	}
	data, _ := os.ReadFile("/proc/cpuinfo")
	for line := range strings.SplitSeq(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			m.CPU = strings.TrimSpace(v)
			break
		}
	}
	return m
}
