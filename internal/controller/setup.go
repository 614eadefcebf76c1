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

package controller

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"unique"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	admission "github.com/skillmatrix-dev/skillmatrix-operator/config/admission"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/enforcement"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/gitwrite"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/metrics"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
)

// The default worker counts. Rendering takes one of renderSlots' turns (one
// per core), so Role workers beyond the cores overlap API writes, which wait
// on the API server, without holding more matrices in memory; a governance
// burst and a cold start both finished sooner with 8 Role workers than with
// 4, and 16 slowed the burst. A Proposal worker mostly waits for the API
// server (re-checks, the live Role, the apply) and holds no matrix, and in
// a burst the workers marking promoted Proposals Applied delay the ones still
// deciding: 16 finished the burst sooner than 8 (docs/performance.md,
// "Design choices").
const (
	DefaultRoleConcurrency     = 8
	DefaultProposalConcurrency = 16
)

// Options tune the controllers.
type Options struct {
	// RoleConcurrency is the number of Roles reconciled at once.
	RoleConcurrency int
	// ProposalConcurrency is the number of Proposals reconciled at once;
	// promotions into one Role still take turns.
	ProposalConcurrency int
	// AdmissionParamsNamespace is where the admission policies' parameters
	// live (the ConfigMap skillmatrix-admission-params): the operator's own
	// namespace. Default skillmatrix-operator-system, as config/ installs it.
	AdmissionParamsNamespace string
	// AdmissionEnforcedExternally turns off the check that the shipped
	// admission policies are in force before anything is promoted, for
	// clusters that enforce the same rules by other means (Kyverno,
	// Gatekeeper). A warning is logged at every start.
	AdmissionEnforcedExternally bool
	// GitCacheDir holds the cached clones of Git write-back (default: a
	// directory under os.TempDir()). The chart mounts an emptyDir there.
	GitCacheDir string
	// GitWrite tunes the Git writer (retries, history searched).
	GitWrite gitwrite.Options
	// MaxOpenProposalsPerAuthor is how many open Proposals one author may
	// have per namespace before the admission policy
	// skillmatrix-proposal-author-limit refuses their next one (0: the
	// default, 20; negative: no limit is written).
	MaxOpenProposalsPerAuthor int
	// Notifications tune the notification controllers (notify_setup.go).
	Notifications NotificationOptions
	// MetricsRegistry is where the leader registers the collectors it owns
	// (default controller-runtime's registry, which the metrics endpoint
	// serves). Tests that run several installs in one process give each
	// its own: a collector registers once per registry.
	MetricsRegistry prometheus.Registerer
}

// CacheOptions restricts the ConfigMap informer to the ConfigMaps the operator
// publishes, so its memory does not grow with every ConfigMap in the cluster
// (the controllers cache only their metadata, see configMapPublisher), and
// drops from every cached object what nothing reads from the cache.
//
// With watchNamespaces (--watch-namespaces, see internal/scope), every
// namespaced informer lists and watches only those namespaces, so every
// controller reconciles only what is in them: the reconcilers read their
// objects, and fan out to related ones, through this cache and within the
// object's own namespace. Cluster-scoped objects (the admission policies and
// their bindings) are still cached cluster-wide, as controller-runtime does
// for them; the admission params have a cache of their own, of that one
// ConfigMap (newParamsCache); what is read past the caches (Secrets of
// write-back, live Roles before a promotion) is read by key. Without
// namespaces it caches cluster-wide.
func CacheOptions(watchNamespaces ...string) cache.Options {
	opts := kubecache.Options(watchNamespaces, stripUnreadMetadata)
	opts.ByObject = map[client.Object]cache.ByObject{
		&corev1.ConfigMap{}: {Label: labels.SelectorFromSet(publish.ManagedLabels())},
	}
	return opts
}

// stripUnreadMetadata drops from cached objects what nothing reads from the
// cache (kubecache.StripManagedMetadata), and the prose of Proposals (see
// stripUnreadProposalText): promotion reads the Role live, and status
// patches are computed between two cached copies of the status, so nothing
// dropped is ever sent or lost.
func stripUnreadMetadata(in any) (any, error) {
	if _, err := kubecache.StripManagedMetadata(in); err != nil {
		return in, err
	}
	switch obj := in.(type) {
	case *v1.Proposal:
		stripUnreadProposalText(obj)
		shareRepeatedStrings(obj)
	case *v1.Ballot:
		stripUnreadBallotText(obj)
	}
	return in, nil
}

// cachedTextDigest is the annotation under which the cache keeps, on a
// cached Proposal, the digest of its title and description
// (governance.TextDigest) computed before the description was dropped: the
// operator notices an edit of the text by it. Only the transform sets it
// (it first drops every annotation outside career.skillmatrix.dev/), and
// it is never written back: the operator writes Proposals' status only.
const cachedTextDigest = "cache.skillmatrix.dev/text-digest"

// textDigestOf is the digest of p's text: as the cache recorded it before
// dropping the description, or computed from p when p was not cached.
func textDigestOf(p *v1.Proposal) string {
	if d := p.Annotations[cachedTextDigest]; d != "" {
		return d
	}
	return governance.TextDigest(p.Spec.Title, p.Spec.Description)
}

// stripUnreadBallotText drops from a cached Ballot what the operator never
// reads (its comment, other tools' annotations) and shares the strings
// that recur across ballots (voter, groups, references, decision): a
// thousand ballots of one team hold each group once.
func stripUnreadBallotText(b *v1.Ballot) {
	if annotations := b.GetAnnotations(); len(annotations) > 0 {
		kept := maps.Clone(annotations)
		maps.DeleteFunc(kept, func(key string, _ string) bool {
			return !strings.HasPrefix(key, v1.GroupVersion.Group+"/")
		})
		b.SetAnnotations(kept)
	}
	b.Spec.Comment = ""
	b.Spec.Voter = v1.Username(canonical(string(b.Spec.Voter)))
	b.Spec.ProposalRef = v1.ObjectName(canonical(string(b.Spec.ProposalRef)))
	b.Spec.RoleRef = v1.ObjectName(canonical(string(b.Spec.RoleRef)))
	b.Spec.Kind = v1.BallotKind(canonical(string(b.Spec.Kind)))
	b.Spec.Decision = v1.BallotDecision(canonical(string(b.Spec.Decision)))
	canonicalAll(b.Spec.Groups)
}

// stripUnreadProposalText drops the prose of a cached Proposal, its
// description and the comments of its votes and reviews, and the annotations
// of other tools (those outside career.skillmatrix.dev/), keeping the
// digest of the text in their place (cachedTextDigest). The controllers
// judge a Proposal by its changes, votes and reviews and record its title in
// the Role's history, but never read these; they are most of what a large
// Proposal holds (up to api/v1alpha1.MaxProposalText characters of text and
// the admission policy's 8192 of labels and annotations). The
// operator never writes a Proposal's spec, and its status patches are diffs
// of the status alone, so nothing cut here is ever written back. Readers
// that show the prose (the CLI, a portal) read Proposals from the API server,
// not from this cache.
func stripUnreadProposalText(p *v1.Proposal) {
	kept := maps.Clone(p.GetAnnotations())
	maps.DeleteFunc(kept, func(key string, _ string) bool {
		return !strings.HasPrefix(key, v1.GroupVersion.Group+"/")
	})
	if kept == nil {
		kept = map[string]string{}
	}
	kept[cachedTextDigest] = governance.TextDigest(p.Spec.Title, p.Spec.Description)
	p.SetAnnotations(kept)
	p.Spec.Description = ""
	for i := range p.Spec.Votes {
		p.Spec.Votes[i].Comment = ""
	}
	for i := range p.Spec.Reviews {
		p.Spec.Reviews[i].Comment = ""
	}
}

// shareRepeatedStrings replaces the strings of a cached Proposal that recur
// across Proposals (the names and groups of voters and reviewers, decisions,
// the author, and the ids and proficiencies of changes) by one canonical
// copy each (unique.Make), so the cache holds a voter's name and groups
// once, however many Proposals they voted on. docs/governance.md measures
// 300 maximal Proposals with and without it.
func shareRepeatedStrings(p *v1.Proposal) {
	p.Spec.Author = v1.Username(canonical(string(p.Spec.Author)))
	p.Spec.RoleRef = v1.ObjectName(canonical(string(p.Spec.RoleRef)))
	for i := range p.Spec.Votes {
		v := &p.Spec.Votes[i]
		v.Voter = v1.Username(canonical(string(v.Voter)))
		v.Decision = v1.VoteDecision(canonical(string(v.Decision)))
		canonicalAll(v.Groups)
	}
	for i := range p.Spec.Reviews {
		r := &p.Spec.Reviews[i]
		r.Reviewer = v1.Username(canonical(string(r.Reviewer)))
		r.Decision = v1.ReviewDecision(canonical(string(r.Decision)))
		canonicalAll(r.Groups)
	}
	for i := range p.Spec.Changes {
		c := &p.Spec.Changes[i]
		c.Skill = v1.ID(canonical(string(c.Skill)))
		c.Level = v1.ID(canonical(string(c.Level)))
		c.Proficiency = v1.ProficiencyID(canonical(string(c.Proficiency)))
		for j := range c.Cells {
			c.Cells[j].Level = v1.ID(canonical(string(c.Cells[j].Level)))
			c.Cells[j].Proficiency = v1.ProficiencyID(canonical(string(c.Cells[j].Proficiency)))
		}
	}
}

// canonical returns the one shared copy of s.
func canonical(s string) string { return unique.Make(s).Value() }

func canonicalAll(values []string) {
	for i, s := range values {
		values[i] = canonical(s)
	}
}

// Seams are the points where tests stop the manager between two writes, to
// show that a crash there neither loses nor repeats anything. Production
// has none: SetupWithManager passes the zero Seams.
type Seams struct {
	// AfterRoleWrite runs right after each promotion write, with the
	// Proposal whose reconcile made it (a batch may promote others too),
	// before that reconcile ends.
	AfterRoleWrite func(ctx context.Context, proposal *v1.Proposal) error
	// BeforeGitPush runs after a write-back commit is made and before it
	// is pushed, once per push attempt.
	BeforeGitPush func()
	// AfterGitRecord runs right after a write-back commit is recorded in
	// the Proposal's status and before it is pushed; an error stops the
	// push.
	AfterGitRecord func(ctx context.Context, proposal *v1.Proposal) error
	// AfterGitPush runs right after a write-back push, before the
	// Proposal's status records the commit.
	AfterGitPush func(ctx context.Context, proposal *v1.Proposal) error
	// NotificationSending, NotificationRecorded and AfterNotificationSend
	// watch a notification's delivery (notificationSeams).
	NotificationSending   func(ids []string)
	NotificationRecorded  func(ids []string)
	AfterNotificationSend func(ctx context.Context, ids []string) error
}

// SetupWithManager registers the field indexes and every controller.
func SetupWithManager(ctx context.Context, mgr ctrl.Manager, opts Options) error {
	return SetupWithSeams(ctx, mgr, opts, Seams{})
}

// SetupWithSeams is SetupWithManager with test seams, for the crash tests.
func SetupWithSeams(ctx context.Context, mgr ctrl.Manager, opts Options, seams Seams) error {
	if err := kubecache.Indexes(ctx, mgr.GetFieldIndexer()); err != nil {
		return err
	}

	registry := opts.MetricsRegistry
	if registry == nil {
		registry = ctrlmetrics.Registry
	}
	if err := mgr.Add(metrics.WhileLeading(registry, metrics.NewProposalsByPhase(mgr.GetClient()))); err != nil {
		return fmt.Errorf("adding the Proposal metrics: %w", err)
	}
	publisher := newConfigMapPublisher(mgr.GetClient(), mgr.GetAPIReader(), mgr.GetScheme())
	if opts.RoleConcurrency <= 0 {
		opts.RoleConcurrency = DefaultRoleConcurrency
	}
	proposals, err := newProposalReconciler(mgr, opts, seams)
	if err != nil {
		return err
	}
	if err := (&RoleReconciler{
		Client:    mgr.GetClient(),
		Publisher: publisher,
		Recorder:  mgr.GetEventRecorder("skillmatrix-role"),
		APIReader: mgr.GetAPIReader(),
		writeBack: proposals.writeBack,
	}).SetupWithManager(mgr, opts.RoleConcurrency); err != nil {
		return fmt.Errorf("setting up the Role controller: %w", err)
	}
	if err := (&SkillMatrixReconciler{
		Client:    mgr.GetClient(),
		Publisher: publisher,
		Recorder:  mgr.GetEventRecorder("skillmatrix-catalog"),
	}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the SkillMatrix controller: %w", err)
	}
	if opts.ProposalConcurrency <= 0 {
		opts.ProposalConcurrency = DefaultProposalConcurrency
	}
	if err := proposals.SetupWithManager(mgr, opts.ProposalConcurrency); err != nil {
		return fmt.Errorf("setting up the Proposal controller: %w", err)
	}
	if err := (&gitWriteBackReconciler{Client: mgr.GetClient(), live: mgr.GetAPIReader(), writeBack: proposals.writeBack,
		recorder: mgr.GetEventRecorder("skillmatrix-gitwriteback")}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the GitWriteBack controller: %w", err)
	}
	if opts.MaxOpenProposalsPerAuthor >= 0 {
		limit := cmp.Or(opts.MaxOpenProposalsPerAuthor, DefaultMaxOpenProposalsPerAuthor)
		if err := (&authorLimitReconciler{Client: mgr.GetClient(), live: mgr.GetAPIReader(), limit: limit}).SetupWithManager(mgr); err != nil {
			return fmt.Errorf("setting up the per-author limit controller: %w", err)
		}
	}
	return setupNotifications(ctx, mgr, opts.Notifications, notificationSeams{Sending: seams.NotificationSending,
		Recorded: seams.NotificationRecorded, AfterSend: seams.AfterNotificationSend})
}

// DefaultAdmissionParamsNamespace is the operator's namespace as config/
// installs it.
const DefaultAdmissionParamsNamespace = "skillmatrix-operator-system"

func newProposalReconciler(mgr ctrl.Manager, opts Options, seams Seams) (*ProposalReconciler, error) {
	shipped, err := enforcement.Load(admission.Manifests)
	if err != nil {
		return nil, fmt.Errorf("loading the shipped admission policies: %w", err)
	}
	ns := opts.AdmissionParamsNamespace
	if ns == "" {
		ns = DefaultAdmissionParamsNamespace
	}
	if opts.AdmissionEnforcedExternally {
		ctrl.Log.Info("WARNING: the check that the shipped admission policies are in force is off " +
			"(--admission-enforced-externally): promotions rely on other means to make votes and reviews authentic")
	}
	params, err := newParamsCache(mgr, ns)
	if err != nil {
		return nil, err
	}
	r := &ProposalReconciler{
		Client:   mgr.GetClient(),
		Recorder: mgr.GetEventRecorder("skillmatrix-proposal"),
		authority: &authority{client: mgr.GetClient(), params: params, live: mgr.GetAPIReader(),
			paramsNamespace: ns},
		guard: &admissionGuard{reader: mgr.GetClient(), shipped: shipped, paramsNamespace: ns,
			external: opts.AdmissionEnforcedExternally},
	}
	cacheDir := opts.GitCacheDir
	if cacheDir == "" {
		cacheDir = filepath.Join(os.TempDir(), "skillmatrix-operator-git")
	}
	gitOpts := opts.GitWrite
	gitOpts.BeforePush = seams.BeforeGitPush
	r.writeBack = &gitWriteBacks{client: mgr.GetClient(), live: mgr.GetAPIReader(),
		writer: gitwrite.NewWriter(cacheDir, gitOpts), afterPush: seams.AfterGitPush, afterRecord: seams.AfterGitRecord}
	r.promoter = &promoter{client: mgr.GetClient(), reader: mgr.GetAPIReader(), afterWrite: seams.AfterRoleWrite, authority: r.authority}
	if err := mgr.AddReadyzCheck("admission-policy", r.guard.readyCheck); err != nil {
		return nil, fmt.Errorf("adding the admission-policy readiness check: %w", err)
	}
	return r, nil
}
