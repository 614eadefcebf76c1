package manifestedit

import (
	"errors"
	"testing"
)

func TestFind(t *testing.T) {
	role := roleHead + roleBody
	other := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\n"
	helm := "apiVersion: career.skillmatrix.dev/v1alpha1\nkind: Role\nmetadata:\n  name: {{ .Values.name }}\nspec:\n  matrixRef: m\n"
	patch := roleHead + "spec:\n  displayName: Other\n"
	cases := []struct {
		name  string
		files []File
		want  error
		path  string
	}{
		{"one of several files", []File{{"a/cm.yaml", []byte(other)}, {"a/b/role.yml", []byte(other + "---\n" + role)}, {"README.md", []byte(role)}}, nil, "a/b/role.yml"},
		{"none", []File{{"cm.yaml", []byte(other)}}, ErrNotFound, ""},
		{"two files", []File{{"a.yaml", []byte(role)}, {"b.yaml", []byte(role)}}, ErrAmbiguous, ""},
		{"helm only", []File{{"chart/templates/role.yaml", []byte(helm)}}, ErrNotPlain, "chart/templates/role.yaml"},
		{"strategic merge patch", []File{
			{"base/role.yaml", []byte(role)},
			{"overlay/kustomization.yaml", []byte("resources: [../base]\npatches:\n  - path: role-patch.yaml\n")},
			{"overlay/role-patch.yaml", []byte(patch)},
		}, ErrNotPlain, "overlay/role-patch.yaml"},
		{"json6902 patch", []File{
			{"base/role.yaml", []byte(role)},
			{"base/kustomization.yaml", []byte("resources: [role.yaml]\npatchesJson6902:\n  - target: {kind: Role, name: r}\n    path: p.json\n")},
		}, ErrNotPlain, "base/kustomization.yaml"},
		{"kustomization resources only", []File{
			{"base/role.yaml", []byte(role)},
			{"base/kustomization.yaml", []byte("resources: [role.yaml]\nnamespace: career\n")},
		}, nil, "base/role.yaml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Find(tc.files, RoleTarget("career", "r"))
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %q, %v; want %v", got, err, tc.want)
			}
			if np, ok := errors.AsType[*NotPlainError](err); ok {
				got = np.Path
			}
			if got != tc.path {
				t.Errorf("path %q, want %q (%v)", got, tc.path, err)
			}
		})
	}
}
