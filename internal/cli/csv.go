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

package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/validation"
)

// lastApplied is kubectl's client-side apply annotation; an imported Role
// must not carry a stale copy of it.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

type importOptions struct {
	csvFile, name, matrix, displayName, base, matrixFile, format, outFile string
}

func newImportCommand(o *options) *cobra.Command {
	opts := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import -f MATRIX.csv [--name ROLE] [--matrix NAME] [--base ROLE.yaml] [--matrix-file SKILLMATRIX.yaml] [-o yaml|json]",
		Short: "Read a matrix CSV back into a Role",
		Long: `Read a CSV in the layout "kubectl skillmatrix export" writes (docs/rendering.md)
and print the career Role it describes, ready for "kubectl apply -f -". Rows are
matched by skill_id and columns by level id; the category and skill name
columns are informational.

The CSV holds the skill rows only. With --base, everything else (display name,
summary, focus and tech stack per level, governance, career paths, labels) is
taken from that Role's YAML and only its skills are replaced, keeping the
order of the rows it already had; so exporting a Role and importing the CSV
with the Role as base gives the same Role. Without --base, --name and --matrix
are required and the Role has nothing but the skills.

With --matrix-file the result is validated against the SkillMatrix (unknown
skills, levels or proficiencies, missing cells), as the operator would.
Nothing is sent to the cluster.`,
		Example: `  # Round trip through a spreadsheet
  kubectl skillmatrix export mlops-engineer -o csv > mlops-engineer.csv
  kubectl get crole mlops-engineer -o yaml > mlops-engineer.yaml
  # ... edit mlops-engineer.csv ...
  kubectl skillmatrix import -f mlops-engineer.csv --base mlops-engineer.yaml > new.yaml
  kubectl skillmatrix diff -f mlops-engineer.yaml -f new.yaml
  kubectl apply -f new.yaml

  # A new Role from a CSV, checked against the SkillMatrix
  kubectl skillmatrix import -f data-engineer.csv --name data-engineer --matrix engineering \
    --display-name "Data Engineer" --matrix-file config/samples/career_v1alpha1_skillmatrix.yaml`,
		Args: args(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(opts.format, "yaml", "json"); err != nil {
				return err
			}
			if opts.csvFile == "" {
				return usageErrorf("missing -f MATRIX.csv")
			}
			role, err := o.importCSV(cmd, opts)
			if err != nil {
				return err
			}
			var data []byte
			if opts.format == formatJSON {
				data, err = json.MarshalIndent(role, "", "  ")
				data = append(data, '\n')
			} else {
				data, err = yaml.Marshal(role)
			}
			if err != nil {
				return err
			}
			return o.write(opts.outFile, data)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.csvFile, "filename", "f", "", "the CSV to import (- for stdin)")
	f.StringVar(&opts.name, "name", "", "name of the Role (with --base: which Role of the file, when it holds several)")
	f.StringVar(&opts.matrix, "matrix", "", "name of the SkillMatrix the Role refers to (spec.matrixRef)")
	f.StringVar(&opts.displayName, "display-name", "", "the Role's title (spec.displayName); defaults to --name without --base")
	f.StringVar(&opts.base, "base", "", "a Role YAML to take everything but the skills from")
	f.StringVar(&opts.matrixFile, "matrix-file", "", "a SkillMatrix YAML to validate the result against")
	f.StringVarP(&opts.format, "output", "o", "yaml", "format: yaml or json")
	f.StringVar(&opts.outFile, "output-file", "", "write to this file instead of stdout")
	return cmd
}

func (o *options) importCSV(cmd *cobra.Command, opts *importOptions) (*v1.Role, error) {
	if opts.base == "" && (opts.name == "" || opts.matrix == "") {
		return nil, usageErrorf("without --base, --name and --matrix are required: the CSV holds the skill rows only")
	}
	data, err := o.readFile(opts.csvFile)
	if err != nil {
		return nil, err
	}
	imported, err := render.ParseCSV(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opts.csvFile, err)
	}
	for _, col := range imported.Ignored {
		o.warnf("warning: %s: ignoring column %q, which is not part of the matrix layout\n", opts.csvFile, col)
	}

	role := &v1.Role{}
	if opts.base != "" {
		b, err := o.readFiles([]string{opts.base})
		if err != nil {
			return nil, err
		}
		if len(b.roles) == 0 {
			return nil, fmt.Errorf("no career Role in %s", opts.base)
		}
		picked, err := pickRole(b.roles, opts.name, opts.base)
		if err != nil {
			return nil, err
		}
		role.ObjectMeta = metav1.ObjectMeta{
			Name: picked.Name, Namespace: picked.Namespace,
			Labels: picked.Labels, Annotations: picked.Annotations,
		}
		delete(role.Annotations, lastApplied)
		if len(role.Annotations) == 0 {
			role.Annotations = nil
		}
		role.Spec = *picked.Spec.DeepCopy()
	} else {
		role.Name = opts.name
		role.Spec.DisplayName = opts.name
	}
	role.APIVersion, role.Kind = v1.GroupVersion.String(), "Role"
	if opts.matrix != "" {
		role.Spec.MatrixRef = v1.ObjectName(opts.matrix)
	}
	if opts.displayName != "" {
		role.Spec.DisplayName = opts.displayName
	}
	if changed(cmd.Flags(), "namespace") {
		role.Namespace = *o.kube.Namespace
	}
	role.Spec.Skills = mergeSkills(role.Spec.Skills, imported.Skills)

	if opts.matrixFile != "" {
		b, err := o.readFiles([]string{opts.matrixFile})
		if err != nil {
			return nil, err
		}
		matrix, err := b.matrix(string(role.Spec.MatrixRef), opts.matrixFile)
		if err != nil {
			return nil, fmt.Errorf("SkillMatrix %q: %w", role.Spec.MatrixRef, err)
		}
		if r := validation.Role(&role.Spec, &matrix.Spec); r.HasErrors() {
			errs := r.Errors()
			msgs := make([]string, 0, len(errs))
			for _, p := range errs {
				msgs = append(msgs, p.Message)
			}
			return nil, fmt.Errorf("the imported Role does not validate against SkillMatrix %q (%d problems):\n  %s",
				matrix.Name, len(errs), strings.Join(msgs, "\n  "))
		}
	}
	return role, nil
}

func pickRole(roles []v1.Role, name, file string) (*v1.Role, error) {
	var names []string
	for i := range roles {
		if roles[i].Name == name || name == "" && len(roles) == 1 {
			return &roles[i], nil
		}
		names = append(names, roles[i].Name)
	}
	if name == "" {
		return nil, usageErrorf("%s holds %d Roles (%s): pick one with --name", file, len(roles), strings.Join(names, ", "))
	}
	return nil, fmt.Errorf("career Role %q not found in %s (it has %s)", name, file, strings.Join(names, ", "))
}

// mergeSkills replaces the rows of base with the imported ones: rows the base
// has keep their place, new rows follow in file order, rows the CSV lacks are
// dropped.
func mergeSkills(base, imported []v1.SkillRequirement) []v1.SkillRequirement {
	byID := make(map[v1.ID]v1.SkillRequirement, len(imported))
	for _, r := range imported {
		byID[r.ID] = r
	}
	out := make([]v1.SkillRequirement, 0, len(imported))
	placed := make(map[v1.ID]bool, len(imported))
	for _, r := range base {
		if row, ok := byID[r.ID]; ok && !placed[r.ID] {
			out = append(out, row)
			placed[r.ID] = true
		}
	}
	for _, r := range imported {
		if !placed[r.ID] {
			out = append(out, r)
		}
	}
	return out
}
