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
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// settings hold the command line.
type settings struct {
	root, out, raw, rerender, logDir, benchtime, cpuProfileDir string
	sizes, bursts                                              []int
	shipped, floor, gobench, scale, noEdit, noBaseline         bool
	notifications                                              bool
	steady, timeout                                            time.Duration
	govProposals, govRoles, writeBackProposals                 int
	baselineWorkers                                            int
	portalRoles, portalClients, portalRequests, portalVotes    int
	binaries                                                   namedValues
	notes, env, args                                           map[string][]string
}

// namedValues is a repeatable name=value flag.
type namedValues []struct{ name, value string }

func (n *namedValues) String() string { return fmt.Sprint(*n) }

func (n *namedValues) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" || value == "" {
		return fmt.Errorf("want name=value, got %q", s)
	}
	*n = append(*n, struct{ name, value string }{name, value})
	return nil
}

func (n namedValues) byName() map[string][]string {
	out := map[string][]string{}
	for _, v := range n {
		out[v.name] = append(out[v.name], v.value)
	}
	return out
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
	var (
		c                       settings
		sizes, variants, bursts string
		notes, env, args        namedValues
	)
	flag.StringVar(&c.root, "root", ".", "repository root")
	flag.StringVar(&sizes, "n", "100,500,1000", "numbers of Roles for cold convergence, comma-separated")
	flag.StringVar(&c.out, "out", "docs/performance.md", "page to render; empty for standard output")
	flag.StringVar(&c.raw, "raw", "", "JSON file of the measurements, which the page is rendered from; "+
		"a scale run (-scale) adds its own to the one there, a full run keeps that file's scale curve")
	flag.StringVar(&c.rerender, "rerender", "", "render -out from this -raw file instead of measuring")
	flag.StringVar(&variants, "variants", "shipped", `"shipped" measures ./cmd as built; "" only the -binary ones`)
	flag.Var(&c.binaries, "binary", "name=path: a prebuilt manager measured as a variant of its own (repeatable)")
	flag.Var(&env, "env", "name=KEY=VALUE: an environment variable of a variant's process (repeatable)")
	flag.Var(&args, "args", "name=--flag=value: an extra flag of a variant's process (repeatable)")
	flag.Var(&notes, "describe", "name=text describing a -binary variant on the page")
	flag.DurationVar(&c.steady, "steady", time.Minute, "steady-state window with nothing changing; 0 skips it")
	flag.BoolVar(&c.noEdit, "no-edit", false, "skip the SkillMatrix edit after each cold convergence")
	flag.BoolVar(&c.noBaseline, "no-baseline", false, "skip the plain-client baseline: cold convergence without a ratio")
	flag.IntVar(&c.baselineWorkers, "baseline-workers", 16, "concurrent writers of the baseline and the floor")
	flag.StringVar(&bursts, "vote-burst", "100,1000",
		"numbers of voters voting at once on one Proposal, comma-separated; \"\" skips the vote burst")
	flag.IntVar(&c.govProposals, "gov-proposals", 200, "open Proposals decided at once; 0 skips governance")
	flag.IntVar(&c.govRoles, "gov-roles", 50, "Roles the Proposals are spread over")
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
	c.notes, c.env, c.args = notes.byName(), env.byName(), args.byName()
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

// positives reads a comma-separated list of positive numbers.
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

// bench runs the measurements.
type bench struct {
	cfg                        settings
	root, assets, work, logDir string
	variants                   []variant
	samples                    samples
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
	if b.logDir == "" {
		b.logDir = filepath.Join(b.work, "logs")
	}
	if err := os.MkdirAll(b.logDir, 0o755); err != nil {
		return err
	}
	if b.assets, err = testenv.AssetsDir(ctx, root, os.Stderr); err != nil {
		return err
	}
	if b.variants, err = buildVariants(ctx, root, b.work, c); err != nil {
		return err
	}
	if b.samples, err = loadSamples(root); err != nil {
		return err
	}
	one, err := expectedFor(b.samples.matrix, b.samples.newRoles(benchNamespace, b.samples.matrix.Name, 1)[0])
	if err != nil {
		return err
	}
	res := &results{Machine: describeMachine(), Started: time.Now(), Variants: b.variants, Assets: b.assets,
		Sizes: c.sizes, Steady: c.steady, GovProposals: c.govProposals, GovRoles: c.govRoles,
		BaselineWorkers: c.baselineWorkers, Benchtime: c.benchtime, Command: commandLine(),
		ConfigMapKiB: one.payload.Size / 1024}
	if c.scale {
		doc.Scale = res
	} else {
		res.Scale, doc = doc.Scale, res
	}
	// Every step leaves its figures: a run stopped before its largest N
	// still renders the others.
	return b.measure(ctx, res, func() error {
		res.Finished = time.Now()
		return writePage(doc, root, c)
	})
}

// measure runs the go test benchmarks, then per N the baseline and every
// variant cold, then the sections that need one manager, then governance
// per variant and its floor, publishing after each step.
func (b *bench) measure(ctx context.Context, res *results, checkpoint func() error) error {
	c, v := b.cfg, b.variants[0]
	if c.gobench {
		logln("go test -bench on the domain packages")
		var err error
		if res.GoBench, err = runGoBench(ctx, b.root, c.benchtime); err != nil {
			return err
		}
		res.Renderers = benchRenderers(b.samples)
	}
	type step struct {
		name string
		run  func() error
	}
	var steps []step
	for _, n := range c.sizes {
		if !c.noBaseline {
			steps = append(steps, step{fmt.Sprintf("baseline N=%d", n), func() error {
				logln("N=%d: plain-client baseline", n)
				base, err := b.baseline(ctx, n)
				res.Baseline = append(res.Baseline, base)
				return err
			}})
		}
		for _, v := range b.variants {
			steps = append(steps, step{fmt.Sprintf("cold convergence N=%d %s", n, v.Name), func() error {
				logln("N=%d: %s manager", n, v.Name)
				cold, err := b.cold(ctx, n, v)
				res.Cold = append(res.Cold, cold)
				return err
			}})
		}
	}
	if c.writeBackProposals > 0 {
		steps = append(steps, step{"git write-back " + v.Name, func() error {
			logln("git write-back: %d Proposals over %d Roles, %s manager", c.writeBackProposals, writeBackRoles, v.Name)
			wb, err := b.writeBack(ctx, v, c.writeBackProposals)
			res.WriteBack = append(res.WriteBack, wb)
			return err
		}})
	}
	if c.portalRoles > 0 {
		steps = append(steps, step{"portal", func() (err error) {
			logln("portal: %d Roles, %d clients", c.portalRoles, c.portalClients)
			res.Portal, err = b.portal(ctx, v)
			return err
		}})
	}
	for _, n := range c.bursts {
		steps = append(steps, step{fmt.Sprintf("vote burst of %d", n), func() error {
			logln("vote burst: %d voters on one Proposal, %s manager, and its floor", n, v.Name)
			r, err := b.burst(ctx, v, n)
			res.VoteBursts = append(res.VoteBursts, r)
			return err
		}})
	}
	for _, v := range b.variants {
		if c.govProposals > 0 {
			steps = append(steps, step{"governance " + v.Name, func() error {
				logln("governance: %d Proposals over %d Roles, %s manager", c.govProposals, c.govRoles, v.Name)
				g, err := b.governance(ctx, v)
				res.Governance = append(res.Governance, g)
				return err
			}})
		}
	}
	if c.govProposals > 0 && c.notifications {
		steps = append(steps, step{"notifications " + v.Name, func() error {
			logln("notifications: %d Proposals over %d Roles, %d Follows, %s manager", c.govProposals, c.govRoles,
				len(notifyFollowers)*c.govRoles, v.Name)
			n, err := b.notifications(ctx, v)
			if g := res.Governance[0]; g.Variant == v.Name && g.Proposals == n.Proposals && g.Roles == n.Roles &&
				n.Events > 0 {
				n.BaselineCPU = g.CPU["manager"]
				n.PerThousand = (n.CPU["manager"] - n.BaselineCPU) * 1000 / time.Duration(n.Events)
			}
			res.Notifications = &n
			return err
		}})
	}
	if c.govProposals > 0 && c.floor {
		steps = append(steps, step{"governance floor", func() error {
			batches := int(res.Governance[0].Writes.total("roles"))
			logln("governance floor: %d Proposals over %d Roles in %d batches", c.govProposals, c.govRoles, batches)
			f, err := b.floor(ctx, v, batches)
			res.GovernanceFloor = &f
			return err
		}})
	}
	for _, s := range steps {
		// A failed step's figures are never published: the run ends.
		if err := s.run(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if err := checkpoint(); err != nil {
			return err
		}
	}
	return checkpoint()
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

// readResults reads a -raw file.
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
func buildVariants(ctx context.Context, root, work string, c settings) ([]variant, error) {
	var out []variant
	if c.shipped {
		bin := filepath.Join(work, "manager")
		if err := goBuild(ctx, root, bin, "./cmd"); err != nil {
			return nil, err
		}
		env := c.env[variantShipped]
		if !slices.ContainsFunc(env, func(e string) bool { return strings.HasPrefix(e, "GOMEMLIMIT=") }) {
			_, soft, err := plane.SoftLimit(root)
			if err != nil {
				return nil, err
			}
			env = append(slices.Clone(env), fmt.Sprintf("GOMEMLIMIT=%d", soft))
		}
		out = append(out, variant{Name: variantShipped, bin: bin, Env: env, Args: c.args[variantShipped],
			Options: "cmd/main.go as built, with its default flags (Role and Proposal concurrency 4, " +
				"SkillMatrix 1, no client-side rate limit) and the soft memory limit it sets itself in a Pod " +
				"with the chart's default memory limit"})
	}
	for _, b := range c.binaries {
		bin, err := filepath.Abs(b.value)
		if err != nil {
			return nil, err
		}
		note := strings.Join(c.notes[b.name], " ")
		if note == "" {
			note = "prebuilt manager " + b.value
		}
		out = append(out, variant{Name: b.name, bin: bin, Env: c.env[b.name], Args: c.args[b.name], Options: note})
	}
	if len(out) == 0 {
		return nil, errors.New("no variant to measure: -variants shipped or -binary name=path")
	}
	const authorLimit = "--max-open-proposals-per-author"
	for i, v := range out {
		if !slices.ContainsFunc(v.Args, func(a string) bool { return strings.HasPrefix(a, authorLimit) }) {
			out[i].Args = append(slices.Clone(v.Args), authorLimit+"=-1")
		}
	}
	return out, nil
}

func goBuild(ctx context.Context, root, bin, pkg string) error {
	logln("go build -o %s %s", bin, pkg)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w", pkg, err)
	}
	return nil
}

// machine describes where the figures come from.
type machine struct {
	CPUs    int
	CPU     string
	Go      string
	OS      string
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
	data, _ := os.ReadFile("/proc/cpuinfo")
	for line := range strings.SplitSeq(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			m.CPU = strings.TrimSpace(v)
			break
		}
	}
	return m
}
