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
	"maps"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
)

// errNotOwned means a ConfigMap of the wanted name exists but belongs to
// something else; the operator never overwrites it.
var errNotOwned = errors.New("exists and is not owned by this object")

// configMapPublisher creates or repairs the one ConfigMap an object owns.
type configMapPublisher struct {
	client client.Client
	// reader reads past the cache, which only holds ConfigMaps labelled as
	// ours: one whose label was edited away is still found and repaired.
	reader client.Reader
	scheme *runtime.Scheme
}

// publish makes the ConfigMap name hold exactly payload, with labels and the
// content hash, owned by owner. It writes nothing when that is already so and
// reports whether it wrote.
func (p configMapPublisher) publish(ctx context.Context, owner client.Object, name string, labels map[string]string, payload publish.Payload) (bool, error) {
	key := client.ObjectKey{Namespace: owner.GetNamespace(), Name: name}
	var cm corev1.ConfigMap
	err := p.client.Get(ctx, key, &cm)
	if apierrors.IsNotFound(err) {
		err = p.reader.Get(ctx, key, &cm)
	}
	if apierrors.IsNotFound(err) {
		cm = corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}}
		if err := p.fill(&cm, owner, labels, payload); err != nil {
			return false, err
		}
		if err := p.client.Create(ctx, &cm); err != nil {
			return false, fmt.Errorf("creating ConfigMap %s: %w", key, staleIfRace(err))
		}
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("getting ConfigMap %s: %w", key, err)
	}
	if !metav1.IsControlledBy(&cm, owner) {
		return false, fmt.Errorf("ConfigMap %s %w", key, errNotOwned)
	}
	if upToDate(&cm, labels, payload) {
		return false, nil
	}
	if err := p.fill(&cm, owner, labels, payload); err != nil {
		return false, err
	}
	// Update carries the resourceVersion read above, so a concurrent edit makes
	// this fail and retry instead of being overwritten unseen.
	if err := p.client.Update(ctx, &cm); err != nil {
		return false, fmt.Errorf("updating ConfigMap %s: %w", key, staleIfRace(err))
	}
	return true, nil
}

func (p configMapPublisher) fill(cm *corev1.ConfigMap, owner client.Object, labels map[string]string, payload publish.Payload) error {
	if cm.Labels == nil {
		cm.Labels = map[string]string{}
	}
	maps.Copy(cm.Labels, labels)
	if cm.Annotations == nil {
		cm.Annotations = map[string]string{}
	}
	cm.Annotations[AnnotationHash] = payload.Hash
	if payload.Compressed() {
		cm.Annotations[AnnotationEncoding] = EncodingGzip
	} else {
		delete(cm.Annotations, AnnotationEncoding)
	}
	cm.Data = payload.Data
	cm.BinaryData = payload.BinaryData
	if err := controllerutil.SetControllerReference(owner, cm, p.scheme); err != nil {
		return fmt.Errorf("setting the owner of ConfigMap %s: %w", cm.Name, err)
	}
	return nil
}

// upToDate compares the content itself, not only the hash annotation, so a
// hand edit of the data is repaired even when the annotation was left alone.
func upToDate(cm *corev1.ConfigMap, labels map[string]string, payload publish.Payload) bool {
	for k, v := range labels {
		if cm.Labels[k] != v {
			return false
		}
	}
	wantEncoding := ""
	if payload.Compressed() {
		wantEncoding = EncodingGzip
	}
	return cm.Annotations[AnnotationHash] == payload.Hash &&
		cm.Annotations[AnnotationEncoding] == wantEncoding &&
		payload.Equal(cm.Data, cm.BinaryData)
}

// deleteOwned removes a ConfigMap the owner no longer publishes to (after a
// rename of the suffix), leaving it alone if it belongs to anyone else.
func (p configMapPublisher) deleteOwned(ctx context.Context, owner client.Object, name string) error {
	var cm corev1.ConfigMap
	key := client.ObjectKey{Namespace: owner.GetNamespace(), Name: name}
	if err := p.client.Get(ctx, key, &cm); err != nil {
		return client.IgnoreNotFound(err)
	}
	if !metav1.IsControlledBy(&cm, owner) {
		return nil
	}
	if err := p.client.Delete(ctx, &cm, client.Preconditions{UID: &cm.UID}); client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("deleting the former ConfigMap %s: %w", key, err)
	}
	return nil
}
