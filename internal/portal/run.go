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

package portal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"
)

// CacheOptions are the informer cache's options for the portal: the given
// namespaces only (all when empty), and without the managedFields and
// kubectl's last-applied annotation, which no page shows. Unlike the
// operator's cache it keeps the Proposals' prose: the pages show it.
//
// Reads share the cached objects instead of deep-copying them (a Role is
// tens of kilobytes, and every page reads several): nothing in this package
// writes to an object it read, and what it hands on (model.BuildRole,
// governance.Judge) copies before it changes anything.
func CacheOptions(namespaces []string) cache.Options {
	opts := kubecache.Options(namespaces, kubecache.StripManagedMetadata)
	opts.DefaultUnsafeDisableDeepCopy = new(true)
	return opts
}

// Setup adds the portal to mgr: the cache's indexes and event handlers, the
// HTTP server on listener, and a readiness check that passes once the cache
// has synced. The manager's cache must be built with CacheOptions.
func Setup(ctx context.Context, mgr manager.Manager, listener net.Listener, opts Options) (*Server, error) {
	s, err := New(mgr.GetCache(), opts)
	if err != nil {
		return nil, err
	}
	if opts.Auth != nil {
		act, err := newImpersonator(mgr.GetConfig(), mgr.GetScheme(), mgr.GetRESTMapper(), mgr.GetCache())
		if err != nil {
			return nil, fmt.Errorf("building the client that acts as signed-in people: %w", err)
		}
		s.act = act
	}
	if err := kubecache.Indexes(ctx, mgr.GetFieldIndexer()); err != nil {
		return nil, err
	}
	if err := s.Track(ctx, mgr.GetCache()); err != nil {
		return nil, err
	}
	if err := mgr.AddReadyzCheck("portal-cache", func(*http.Request) error {
		if !s.synced.Load() {
			return errors.New("the cache has not synced yet")
		}
		return nil
	}); err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	serve := manager.RunnableFunc(func(ctx context.Context) error {
		go func() {
			if mgr.GetCache().WaitForCacheSync(ctx) {
				s.MarkSynced()
			}
		}()
		errc := make(chan error, 1)
		go func() { errc <- srv.Serve(listener) }()
		logf.FromContext(ctx).Info("serving the portal", "address", listener.Addr().String())
		select {
		case err := <-errc:
			return fmt.Errorf("serving the portal: %w", err)
		case <-ctx.Done():
		}
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	})
	if err := mgr.Add(serve); err != nil {
		return nil, err
	}
	return s, nil
}
