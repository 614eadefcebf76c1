package manifestedit

import (
	"encoding/json"
	"reflect"

	sigsyaml "sigs.k8s.io/yaml"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// decodeRole reads a document as kubectl and Argo CD do (sigs.k8s.io/yaml,
// YAML 1.1 scalars), so `from` is compared with what the cluster would get.
func decodeRole(b []byte) (*v1alpha1.Role, error) {
	var r v1alpha1.Role
	if err := sigsyaml.Unmarshal(b, &r); err != nil {
		return nil, notPlain(0, "it does not decode as a Role: %v", err)
	}
	return &r, nil
}

// verify re-reads the edited document: its spec must be exactly what
// governance.Apply made of the original, and everything outside spec must
// read as before. A splice that fails this is refused, never written.
func verify(orig, edited []byte, want *v1alpha1.RoleSpec) error {
	p, err := parseDocument(edited)
	if err != nil || p.root == nil {
		return notPlain(0, "the edited document does not parse (%v); refusing the edit", err)
	}
	if err := checkPlain(p.root); err != nil {
		return err
	}
	got, err := decodeRole(edited)
	if err != nil {
		return err
	}
	gotJSON, err1 := json.Marshal(got.Spec)
	wantJSON, err2 := json.Marshal(want)
	if err1 != nil || err2 != nil || string(gotJSON) != string(wantJSON) {
		return notPlain(0, "the edited document does not read back as the changed Role; refusing the edit")
	}
	var before, after map[string]any
	if sigsyaml.Unmarshal(orig, &before) != nil || sigsyaml.Unmarshal(edited, &after) != nil {
		return notPlain(0, "the edited document does not decode; refusing the edit")
	}
	delete(before, "spec")
	delete(after, "spec")
	if !reflect.DeepEqual(before, after) {
		return notPlain(0, "the edit changed more than the spec; refusing the edit")
	}
	return nil
}
