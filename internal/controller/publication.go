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
	"context"
	"errors"
	"fmt"
	"runtime"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
)

// publicationTexts are the Ready messages of one kind of publication (a
// Role's matrix, a SkillMatrix's catalog). Health checks and people read
// them: they are part of the observable interface.
type publicationTexts struct {
	renderFailed, tooLarge, conflict, failed string
	// keptNote follows the TooLarge message of Published.
	keptNote string
}

// publication is content on its way to the ConfigMap its owner owns.
type publication struct {
	owner  client.Object
	name   string
	labels map[string]string
	// render makes the files; an error says why the content cannot be
	// rendered.
	render func() (map[string][]byte, error)
	// inputs, when set, identifies everything render reads: a publication
	// with the inputs this process last published to an untouched ConfigMap
	// is not rendered again.
	inputs string
	texts  publicationTexts
}

// published is what a ConfigMap holds once published, for the owner's
// status and conditions.
type published struct {
	hash       string
	files      int
	compressed bool
}

func publishedOf(payload publish.Payload) published {
	return published{hash: payload.Hash, files: payload.Files(), compressed: payload.Compressed()}
}

// encoding says how the content is stored, for a condition message.
func (p published) encoding() string {
	if p.compressed {
		return "gzip-compressed binaryData"
	}
	return "plain text"
}

// renderSlots bounds how many publications render and build their payload
// at once. That work is CPU-bound, so more of it at once than there are
// cores only holds more matrices in memory (every format, uncompressed),
// while the API writes around it, which wait on the API server, overlap
// freely: the worker count can rise for latency without memory rising
// with it.
type renderSlots chan struct{}

func newRenderSlots() renderSlots {
	return make(renderSlots, max(1, runtime.GOMAXPROCS(0)))
}

// build renders pub and builds its payload in a slot. renderErr is the
// render's failure, err the payload's.
func (s renderSlots) build(pub publication) (payload publish.Payload, renderErr, err error) {
	s <- struct{}{}
	defer func() { <-s }()
	files, renderErr := pub.render()
	if renderErr != nil {
		return publish.Payload{}, renderErr, nil
	}
	payload, err = publish.Build(files, publish.MaxConfigMapBytes)
	return payload, nil, err
}

// publishRendered is the one step from rendered files to a published
// ConfigMap that both publishing controllers share: build the payload,
// publish it, and say why not in the Published and Ready conditions. It
// reports ok once published, leaving Published and the conclusion to the
// caller, whose message says what was published; err is for what a retry
// can mend.
func (p configMapPublisher) publishRendered(ctx context.Context, conds *conditionSet, pub publication) (published, bool, error) {
	// Only a failed write is mended by a retry; the rest needs a new spec
	// or a person (a ConfigMap of that name that is not the operator's).
	fail := func(reason, published, ready string) {
		conds.set(v1.ConditionPublished, metav1.ConditionFalse, reason, published)
		if v1.ReasonStalls(reason) {
			conds.conclude(progressStalled, reason, ready)
		} else {
			conds.conclude(progressInFlight, reason, ready)
		}
	}
	key := client.ObjectKey{Namespace: pub.owner.GetNamespace(), Name: pub.name}
	if out, ok := p.unchanged(ctx, key, pub); ok {
		return out, true, nil
	}
	payload, renderErr, err := p.renders.build(pub)
	if renderErr != nil {
		// Rendering is deterministic: retrying cannot help, a new spec can.
		logf.FromContext(ctx).Error(renderErr, "rendering failed", "configMap", pub.name)
		fail(v1.ReasonRenderFailed, renderErr.Error(), pub.texts.renderFailed)
		return published{}, false, nil
	}
	if errors.Is(err, publish.ErrTooLarge) {
		fail(v1.ReasonTooLarge, err.Error()+pub.texts.keptNote, pub.texts.tooLarge)
		return published{}, false, nil
	}
	if err != nil {
		return published{}, false, fmt.Errorf("building the content of ConfigMap %s: %w", pub.name, err)
	}
	wrote, err := p.publish(ctx, pub.owner, pub.name, pub.labels, payload)
	switch {
	case errors.Is(err, errStale):
		return published{}, false, err
	case errors.Is(err, errNotOwned):
		fail(v1.ReasonConfigMapConflict, err.Error(), pub.texts.conflict)
		return published{}, false, nil
	case err != nil:
		fail(v1.ReasonPublishFailed, err.Error(), pub.texts.failed)
		return published{}, false, err
	}
	if wrote {
		logf.FromContext(ctx).Info("published", "configMap", pub.name, "bytes", payload.Size, "compressed", payload.Compressed())
	}
	out := publishedOf(payload)
	if pub.inputs != "" {
		p.versions.rememberInputs(key, pub.inputs, out)
	}
	return out, true, nil
}

// unchanged returns what the ConfigMap holds when this process published it
// from pub's inputs and the cache shows no other write since.
func (p configMapPublisher) unchanged(ctx context.Context, key client.ObjectKey, pub publication) (published, bool) {
	if pub.inputs == "" {
		return published{}, false
	}
	cached := configMapMetadata()
	if err := p.client.Get(ctx, key, cached); err != nil || !metav1.IsControlledBy(cached, pub.owner) {
		return published{}, false
	}
	return p.versions.unchanged(key, cached.ResourceVersion, pub.inputs)
}

// notPublished says that the current spec is not published, and what the
// ConfigMap published before, if any, still holds.
func notPublished(conds *conditionSet, reason, configMap, what string) {
	msg := "nothing is published"
	if configMap != "" {
		msg = fmt.Sprintf("ConfigMap %q still holds the %s published before", configMap, what)
	}
	conds.set(v1.ConditionPublished, metav1.ConditionFalse, reason, msg)
}
