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
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
)

// observer watches the Roles of one namespace (and, when asked, their
// ConfigMaps) and records when each Role reaches an expected content hash
// and how often each object changed. It is the stopwatch of every
// measurement, for the operator and the baseline alike, so both pay for the
// same extra watch.
type observer struct {
	cache  cache.Cache
	cancel context.CancelFunc
	done   chan struct{}

	mu         sync.Mutex
	want       map[string]string
	reached    map[string]time.Time
	all        chan struct{}
	roleWrites map[string]int
	onCM       func(cm *corev1.ConfigMap, at time.Time)
}

// startObserver starts informers for the Roles, and for the operator's
// ConfigMaps when onCM is set, in ns, and waits until they have synced.
func startObserver(ctx context.Context, cfg *rest.Config, ns string,
	onCM func(cm *corev1.ConfigMap, at time.Time)) (*observer, error) {
	c, err := cache.New(cfg, cache.Options{
		Scheme:            scheme,
		DefaultNamespaces: map[string]cache.Config{ns: {}},
		DefaultTransform:  cache.TransformStripManagedFields(),
		ByObject: map[client.Object]cache.ByObject{
			&corev1.ConfigMap{}: {Label: labels.SelectorFromSet(publish.ManagedLabels())},
		},
	})
	if err != nil {
		return nil, err
	}
	o := &observer{cache: c, done: make(chan struct{}), roleWrites: map[string]int{}, onCM: onCM,
		want: map[string]string{}, reached: map[string]time.Time{}, all: make(chan struct{})}
	roles, err := c.GetInformer(ctx, &v1.Role{})
	if err != nil {
		return nil, err
	}
	if _, err := roles.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			if r, ok := obj.(*v1.Role); ok {
				o.role(r, false)
			}
		},
		UpdateFunc: func(oldObj, newObj any) {
			oldRole, okOld := oldObj.(*v1.Role)
			newRole, okNew := newObj.(*v1.Role)
			if okOld && okNew {
				o.role(newRole, oldRole.ResourceVersion != newRole.ResourceVersion)
			}
		},
	}); err != nil {
		return nil, err
	}
	if onCM != nil {
		cms, err := c.GetInformer(ctx, &corev1.ConfigMap{})
		if err != nil {
			return nil, err
		}
		handle := func(obj any) {
			if cm, ok := obj.(*corev1.ConfigMap); ok {
				onCM(cm, time.Now())
			}
		}
		if _, err := cms.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
			AddFunc:    handle,
			UpdateFunc: func(_, newObj any) { handle(newObj) },
		}); err != nil {
			return nil, err
		}
	}
	runCtx, cancel := context.WithCancel(ctx)
	o.cancel = cancel
	go func() {
		defer close(o.done)
		_ = c.Start(runCtx)
	}()
	if !c.WaitForCacheSync(ctx) {
		cancel()
		return nil, fmt.Errorf("the observer's informers did not sync")
	}
	return o, nil
}

func (o *observer) stop() {
	o.cancel()
	<-o.done
}

// role records a Role version: a write when its resourceVersion changed, and
// whether it reached the hash it is expected to publish.
func (o *observer) role(r *v1.Role, changed bool) {
	now := time.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	if changed {
		o.roleWrites[r.Name]++
	}
	o.check(r, now)
}

func (o *observer) check(r *v1.Role, now time.Time) {
	want, ok := o.want[r.Name]
	if !ok {
		return
	}
	if _, done := o.reached[r.Name]; done {
		return
	}
	if r.Status.ObservedGeneration == r.Generation && r.Status.ContentHash == want &&
		r.Status.ConfigMapName != "" && meta.IsStatusConditionTrue(r.Status.Conditions, v1.ConditionReady) {
		o.reached[r.Name] = now
		if len(o.reached) == len(o.want) {
			close(o.all)
		}
	}
}

// expect sets the content hash every Role must reach and returns a channel
// closed once all have; Roles already there count at once.
func (o *observer) expect(ctx context.Context, want map[string]string) (<-chan struct{}, error) {
	o.mu.Lock()
	o.want = maps.Clone(want)
	o.reached = map[string]time.Time{}
	o.all = make(chan struct{})
	all := o.all
	o.mu.Unlock()

	var roles v1.RoleList
	if err := o.cache.List(ctx, &roles); err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := range roles.Items {
		o.check(&roles.Items[i], time.Now())
	}
	if len(want) == 0 {
		close(o.all)
	}
	return all, nil
}

// lastReached is when the last Role reached its expected hash.
func (o *observer) lastReached() time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	var last time.Time
	for _, t := range o.reached {
		if t.After(last) {
			last = t
		}
	}
	return last
}

// pending is how many Roles have not reached their hash yet.
func (o *observer) pending() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.want) - len(o.reached)
}

// writes returns a copy of the number of versions each Role went through.
func (o *observer) writes() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.roleWrites)
}

// waitAll waits until every expected Role is there, reporting progress; it
// gives up when died is closed (the manager exited).
func (o *observer) waitAll(ctx context.Context, all, died <-chan struct{}, timeout time.Duration, what string) error {
	deadline := time.After(timeout)
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-all:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline:
			return fmt.Errorf("%s: %d Roles still pending after %s", what, o.pending(), timeout)
		case <-died:
			return fmt.Errorf("%s: the manager exited with %d Roles pending", what, o.pending())
		case <-tick.C:
			logln("  %s: %d Roles pending", what, o.pending())
		}
	}
}
