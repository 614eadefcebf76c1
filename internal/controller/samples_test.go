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
	"encoding/json"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

var sampleFiles = []string{
	"career_v1alpha1_skillmatrix.yaml",
	"career_v1alpha1_role.yaml",
	"career_v1alpha1_proposal.yaml",
}

func readSample(name string) []byte {
	GinkgoHelper()
	data, err := os.ReadFile(filepath.Join("..", "..", "config", "samples", name))
	Expect(err).NotTo(HaveOccurred())
	return data
}

// asJSONValue normalises a value through JSON so numbers compare equal whether
// they came from YAML or from the API server.
func asJSONValue(v any) any {
	GinkgoHelper()
	data, err := json.Marshal(v)
	Expect(err).NotTo(HaveOccurred())
	var out any
	Expect(json.Unmarshal(data, &out)).To(Succeed())
	return out
}

var _ = Describe("The MLOps Engineer samples", func() {
	It("decode strictly into the API types with the seed's figures", func() {
		var matrix v1.SkillMatrix
		Expect(yaml.UnmarshalStrict(readSample(sampleFiles[0]), &matrix)).To(Succeed())
		var role v1.Role
		Expect(yaml.UnmarshalStrict(readSample(sampleFiles[1]), &role)).To(Succeed())
		var proposal v1.Proposal
		Expect(yaml.UnmarshalStrict(readSample(sampleFiles[2]), &proposal)).To(Succeed())

		Expect(matrix.Spec.Levels).To(HaveLen(5))
		Expect(matrix.Spec.Proficiencies).To(HaveLen(4))
		Expect(matrix.Spec.Categories).To(HaveLen(13))
		catalog := 0
		for _, c := range matrix.Spec.Categories {
			catalog += len(c.Skills)
		}
		Expect(catalog).To(Equal(56))

		Expect(role.Spec.Skills).To(HaveLen(56))
		cells, required := 0, 0
		for _, s := range role.Spec.Skills {
			Expect(s.Cells).To(HaveLen(5), "skill %s", s.ID)
			for _, c := range s.Cells {
				cells++
				if c.Required {
					required++
				}
			}
		}
		Expect(cells).To(Equal(280))
		Expect(required).To(Equal(123))
		Expect(role.Spec.Levels).To(HaveLen(5))
		Expect(proposal.Spec.RoleRef).To(BeEquivalentTo(role.Name))
	})

	It("are accepted by the API server and read back unchanged", func() {
		ns := newNamespace()
		for _, name := range sampleFiles {
			var original map[string]any
			Expect(yaml.Unmarshal(readSample(name), &original)).To(Succeed())

			obj := &unstructured.Unstructured{Object: original}
			obj = obj.DeepCopy()
			obj.SetNamespace(ns)
			// The sample Proposal's author is alice: admission lets only her create it.
			creator := k8sClient
			if obj.GetKind() == "Proposal" {
				creator = as(alice)
			}
			Expect(creator.Create(suiteCtx, obj, client.FieldValidation(metav1.FieldValidationStrict))).
				To(Succeed(), "creating %s", name)

			stored := &unstructured.Unstructured{}
			stored.SetGroupVersionKind(obj.GroupVersionKind())
			Expect(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(obj), stored)).To(Succeed())
			Expect(asJSONValue(stored.Object["spec"])).To(Equal(asJSONValue(original["spec"])),
				"%s: the API server changed the spec (pruned or defaulted a field)", name)
		}
	})
})
