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
	"slices"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
)

// errNotOwned means a ConfigMap of the wanted name exists but belongs to
// something else; the operator never overwrites it.
var errNotOwned = errors.New("exists and is not owned by this object")

// configMapPublisher creates or repairs the one ConfigMap an object owns.
//
// The cache holds only the metadata of the ConfigMaps the operator publishes:
// their content is the bulk of the operator's memory otherwise (docs/
// performance.md). The content is read live instead, and only when the cached
// version is not one this process wrote or already compared.
type configMapPublisher struct {
	// client reads ConfigMaps from the cache as metav1.PartialObjectMetadata.
	client client.Client
	// reader reads past the cache, which only holds ConfigMaps labelled as
	// ours: one whose label was edited away is still found and repaired.
	reader   client.Reader
	scheme   *runtime.Scheme
	versions *knownVersions
	renders  renderSlots
}

func newConfigMapPublisher(c client.Client, reader client.Reader, scheme *runtime.Scheme) configMapPublisher {
	return configMapPublisher{client: c, reader: reader, scheme: scheme, versions: &knownVersions{}, renders: newRenderSlots()}
}

// knownVersions remembers, per ConfigMap, the resourceVersion whose content
// this process wrote or compared with what it renders. The API server changes
// the resourceVersion on every write, so a ConfigMap still at that version
// still holds that content; any other version (a hand edit, a restart of the
// operator) is read and compared once.
//
// It also remembers the content hash of an update in flight: the watch event
// of an update can arrive before the update's response, and telling it apart
// as the operator's own spares a reconcile per republished ConfigMap.
//
// And it remembers what each ConfigMap was rendered from (publication.inputs)
// and what that gave, so a reconcile whose inputs did not change since
// (the one the operator's own status write starts, most often) neither
// renders nor reads the ConfigMap again.
type knownVersions struct {
	mu       sync.Mutex
	versions map[types.NamespacedName]knownVersion
	writing  map[types.NamespacedName]string
}

// knownVersion is what this process knows of one ConfigMap.
type knownVersion struct {
	// version holds the content this process wrote or compared.
	version string
	// superseded is the version this process's write replaced: a cache that
	// still shows it is behind that write, not showing someone else's.
	superseded string
	// inputs and published say what the content was rendered from and what
	// it is, when the publication named its inputs.
	inputs    string
	published published
}

// remember records that version of key holds the content this process wrote
// (over superseded, when it replaced a version) or compared.
func (k *knownVersions) remember(key types.NamespacedName, version, superseded string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.versions == nil {
		k.versions = map[types.NamespacedName]knownVersion{}
	}
	k.versions[key] = knownVersion{version: version, superseded: superseded}
	delete(k.writing, key)
}

// rememberInputs records that key holds what inputs render to, at the
// version remembered last.
func (k *knownVersions) rememberInputs(key types.NamespacedName, inputs string, pub published) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if v, ok := k.versions[key]; ok {
		v.inputs, v.published = inputs, pub
		k.versions[key] = v
	}
}

// unchanged returns what key holds when it was published from inputs by
// this process and the cache shows no other write since (cachedVersion is
// the version remembered, or the one it replaced while the cache is behind:
// a later write by someone else reaches the cache afterwards and wakes the
// owner through changedByOthers).
func (k *knownVersions) unchanged(key types.NamespacedName, cachedVersion, inputs string) (published, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.versions[key]
	if !ok || inputs == "" || v.inputs != inputs {
		return published{}, false
	}
	if cachedVersion != v.version && (v.superseded == "" || cachedVersion != v.superseded) {
		return published{}, false
	}
	return v.published, true
}

// beginWrite records that content with hash is being written to key; a
// remember or endWrite ends it.
func (k *knownVersions) beginWrite(key types.NamespacedName, hash string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.writing == nil {
		k.writing = map[types.NamespacedName]string{}
	}
	k.writing[key] = hash
}

func (k *knownVersions) endWrite(key types.NamespacedName) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.writing, key)
}

// own reports whether a version of key with the given content hash is the
// operator's own write: one it remembers, or the one in flight.
func (k *knownVersions) own(key types.NamespacedName, resourceVersion, hash string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.knownLocked(key, resourceVersion) {
		return true
	}
	w, ok := k.writing[key]
	return ok && hash != "" && w == hash
}

func (k *knownVersions) known(key types.NamespacedName, resourceVersion string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.knownLocked(key, resourceVersion)
}

func (k *knownVersions) knownLocked(key types.NamespacedName, resourceVersion string) bool {
	v, ok := k.versions[key]
	return ok && v.version == resourceVersion
}

func (k *knownVersions) forget(key types.NamespacedName) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.versions, key)
}

func configMapMetadata() *metav1.PartialObjectMetadata {
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("ConfigMap"))
	return m
}

// publish makes the ConfigMap name hold exactly payload, with labels and the
// content hash, owned by owner. It writes nothing when that is already so and
// reports whether it wrote.
func (p configMapPublisher) publish(ctx context.Context, owner client.Object, name string, labels map[string]string, payload publish.Payload) (bool, error) {
	key := client.ObjectKey{Namespace: owner.GetNamespace(), Name: name}
	cached := configMapMetadata()
	err := p.client.Get(ctx, key, cached)
	if err != nil && !apierrors.IsNotFound(err) {
		return false, fmt.Errorf("getting ConfigMap %s: %w", key, err)
	}
	if apierrors.IsNotFound(err) {
		created, err := p.create(ctx, key, owner, labels, payload)
		if !apierrors.IsAlreadyExists(err) {
			return created, err
		}
		// It exists but the cache does not show it: its label was edited
		// away, or the cache is behind. Read it live and repair it below.
	} else {
		adopt := !metav1.IsControlledBy(cached, owner)
		if adopt && !p.adoptable(cached, owner) {
			return false, fmt.Errorf("ConfigMap %s %w", key, errNotOwned)
		}
		if !adopt && p.versions.known(key, cached.ResourceVersion) {
			if metadataUpToDate(cached, labels, payload) {
				return false, nil
			}
			// The content at this version is what this process wrote: no
			// need to read it back before replacing it.
			cm := corev1.ConfigMap{ObjectMeta: *cached.ObjectMeta.DeepCopy()}
			return p.replace(ctx, &cm, owner, labels, payload)
		}
	}

	var cm corev1.ConfigMap
	err = p.reader.Get(ctx, key, &cm)
	if apierrors.IsNotFound(err) {
		created, err := p.create(ctx, key, owner, labels, payload)
		return created, staleIfRace(err)
	}
	if err != nil {
		return false, fmt.Errorf("reading ConfigMap %s: %w", key, err)
	}
	if !metav1.IsControlledBy(&cm, owner) {
		if !p.adoptable(&cm, owner) {
			return false, fmt.Errorf("ConfigMap %s %w", key, errNotOwned)
		}
		adoptFrom(&cm, owner)
		return p.replace(ctx, &cm, owner, labels, payload)
	}
	if metadataUpToDate(&cm, labels, payload) && payload.Equal(cm.Data, cm.BinaryData) {
		p.versions.remember(key, cm.ResourceVersion, "")
		return false, nil
	}
	return p.replace(ctx, &cm, owner, labels, payload)
}

// adoptable reports whether cm, which owner does not control, is owner's
// own from before: a ConfigMap the operator published (its managed-by
// label, which only the operator may write, see docs/governance.md) for an
// object of owner's kind and name that no longer exists (its controller
// reference names another UID, and names are unique). A Role or SkillMatrix
// deleted and re-created (from Git, a backup, a rebuilt namespace) adopts
// it where the garbage collector has not deleted it yet, instead of
// reporting ConfigMapConflict.
func (p configMapPublisher) adoptable(cm metav1.Object, owner client.Object) bool {
	if cm.GetLabels()[publish.LabelManagedBy] != publish.ManagedBy {
		return false
	}
	ref := metav1.GetControllerOf(cm)
	if ref == nil || ref.Name != owner.GetName() || ref.UID == owner.GetUID() {
		return false
	}
	gvk, err := apiutil.GVKForObject(owner, p.scheme)
	if err != nil {
		return false
	}
	refGV, err := schema.ParseGroupVersion(ref.APIVersion)
	return err == nil && refGV.Group == gvk.Group && ref.Kind == gvk.Kind
}

// adoptFrom drops the controller reference to owner's former object, which
// fill replaces with one to owner.
func adoptFrom(cm *corev1.ConfigMap, owner client.Object) {
	cm.OwnerReferences = slices.DeleteFunc(cm.OwnerReferences, func(ref metav1.OwnerReference) bool {
		return ref.Controller != nil && *ref.Controller && ref.Name == owner.GetName() && ref.UID != owner.GetUID()
	})
}

// create makes the ConfigMap. It returns the API server's error as it is, so
// the caller can tell AlreadyExists apart.
func (p configMapPublisher) create(ctx context.Context, key client.ObjectKey, owner client.Object, labels map[string]string, payload publish.Payload) (bool, error) {
	cm := corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}}
	if err := p.fill(&cm, owner, labels, payload); err != nil {
		return false, err
	}
	if err := p.client.Create(ctx, &cm); err != nil {
		return false, fmt.Errorf("creating ConfigMap %s: %w", key, err)
	}
	p.versions.remember(key, cm.ResourceVersion, "")
	return true, nil
}

// replace writes payload into cm, whose metadata was read at the
// resourceVersion it carries. The update is guarded by that version, so a
// concurrent edit makes it fail and retry instead of being overwritten unseen.
func (p configMapPublisher) replace(ctx context.Context, cm *corev1.ConfigMap, owner client.Object, labels map[string]string, payload publish.Payload) (bool, error) {
	if err := p.fill(cm, owner, labels, payload); err != nil {
		return false, err
	}
	key := client.ObjectKeyFromObject(cm)
	replaced := cm.ResourceVersion
	p.versions.beginWrite(key, payload.Hash)
	if err := p.client.Update(ctx, cm); err != nil {
		p.versions.endWrite(key)
		return false, fmt.Errorf("updating ConfigMap %s: %w", key, staleIfRace(err))
	}
	p.versions.remember(key, cm.ResourceVersion, replaced)
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
	cm.Annotations[publish.AnnotationContentHash] = payload.Hash
	if payload.Compressed() {
		cm.Annotations[publish.AnnotationContentEncoding] = publish.EncodingGzip
	} else {
		delete(cm.Annotations, publish.AnnotationContentEncoding)
	}
	cm.Data = payload.Data
	cm.BinaryData = payload.BinaryData
	if err := controllerutil.SetControllerReference(owner, cm, p.scheme); err != nil {
		return fmt.Errorf("setting the owner of ConfigMap %s: %w", cm.Name, err)
	}
	return nil
}

// metadataUpToDate reports whether the labels and annotations describe
// payload. The content itself is compared by the caller: a hand edit of the
// data may have left the hash annotation alone.
func metadataUpToDate(cm metav1.Object, labels map[string]string, payload publish.Payload) bool {
	for k, v := range labels {
		if cm.GetLabels()[k] != v {
			return false
		}
	}
	wantEncoding := ""
	if payload.Compressed() {
		wantEncoding = publish.EncodingGzip
	}
	annotations := cm.GetAnnotations()
	return annotations[publish.AnnotationContentHash] == payload.Hash && annotations[publish.AnnotationContentEncoding] == wantEncoding
}

// deleteOwned removes a ConfigMap the owner no longer publishes to (after a
// rename of the suffix), leaving it alone if it belongs to anyone else.
func (p configMapPublisher) deleteOwned(ctx context.Context, owner client.Object, name string) error {
	cm := configMapMetadata()
	key := client.ObjectKey{Namespace: owner.GetNamespace(), Name: name}
	if err := p.client.Get(ctx, key, cm); err != nil {
		return client.IgnoreNotFound(err)
	}
	if !metav1.IsControlledBy(cm, owner) {
		return nil
	}
	if err := p.client.Delete(ctx, cm, client.Preconditions{UID: &cm.UID}); client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("deleting the former ConfigMap %s: %w", key, err)
	}
	p.versions.forget(key)
	return nil
}

// changedByOthers filters the events of the ConfigMaps a controller owns down
// to those it must react to: updates it did not write itself and deletions.
// Creations are its own (a Role or SkillMatrix is reconciled anyway when the
// manager starts), and reconciling again after its own write would only
// render the same content once more.
func (p configMapPublisher) changedByOthers() predicate.Funcs {
	return predicate.Funcs{
		CreateFunc: func(event.CreateEvent) bool { return false },
		UpdateFunc: func(e event.UpdateEvent) bool {
			return !p.versions.own(client.ObjectKeyFromObject(e.ObjectNew), e.ObjectNew.GetResourceVersion(),
				e.ObjectNew.GetAnnotations()[publish.AnnotationContentHash])
		},
		DeleteFunc: func(e event.DeleteEvent) bool {
			p.versions.forget(client.ObjectKeyFromObject(e.Object))
			return true
		},
	}
}
