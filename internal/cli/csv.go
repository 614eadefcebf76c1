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
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/validation"
)

// lastApplied is kubectl's client-side apply annotation; an imported Role
// must not carry a stale copy of it.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

type importOptions struct {
	csvFile, name, matrix, displayName, base, matrixFile, format, outFile string
	files                                                                 []string
	allowRemovals, skipValidation                                         bool
}

func newImportCommand(o *options) *cobra.Command {
	opts := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import --csv MATRIX.csv [--base ROLE.yaml] [--matrix-file SKILLMATRIX.yaml] [--name ROLE --matrix NAME] [-o yaml|json]",
		Short: "Read a matrix CSV back into a Role",
		Long: `Read a CSV in the layout "kubectl skillmatrix export" writes (docs/rendering.md)
and print the career Role it describes, ready for "kubectl apply -f -". Rows are
matched by skill_id and columns by level id; the category and skill name
columns are informational.

The CSV holds the skill rows only. With --base (or a Role among the -f files),
everything else (display name, summary, focus and tech stack per level,
governance, career paths, labels) is taken from that Role and only its skills
are replaced, keeping the order of the rows it already had; so exporting a
Role and importing the CSV with the Role as base gives the same Role. Without
a base, --name and --matrix are required and the Role has nothing but the
skills.

Nothing is lost silently. A column the base Role has data in (a level, its
descriptions or its examples) that the CSV lacks is an error naming the
column: add it back, as export writes it. Rows of the base the CSV lacks are
removed skills: the import refuses them unless --allow-removals is given, and
names them either way.

The result is validated as the operator would (unknown skills, levels or
proficiencies, missing cells), with problems reported by CSV line and
column, against the SkillMatrix of --matrix-file (or among the -f files),
else the cluster's SkillMatrix the Role refers to; when neither can be read
the import fails, unless --skip-validation says to go on unchecked. Nothing
is sent to the cluster.`,
		Example: `  # Round trip through a spreadsheet, validated against the cluster's SkillMatrix
  kubectl skillmatrix export mlops-engineer -o csv > mlops-engineer.csv
  kubectl get crole mlops-engineer -o yaml > mlops-engineer.yaml
  # ... edit mlops-engineer.csv ...
  kubectl skillmatrix import --csv mlops-engineer.csv --base mlops-engineer.yaml > new.yaml
  kubectl skillmatrix diff -f mlops-engineer.yaml -f new.yaml
  kubectl apply -f new.yaml

  # A new Role from a CSV, checked against a SkillMatrix file
  kubectl skillmatrix import --csv data-engineer.csv --name data-engineer --matrix engineering \
    --display-name "Data Engineer" --matrix-file config/samples/career_v1alpha1_skillmatrix.yaml`,
		Args: args(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(opts.format, "yaml", formatJSON); err != nil {
				return err
			}
			role, err := o.importCSV(cmd, opts)
			if err != nil {
				return err
			}
			data, err := marshalAs(opts.format, role)
			if err != nil {
				return err
			}
			return o.write(opts.outFile, data)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.csvFile, "csv", "", "the CSV to import (- for stdin)")
	f.StringArrayVarP(&opts.files, "filename", "f", nil, "YAML files or directories: the base Role and the SkillMatrix to validate against (a CSV here is read as --csv, deprecated)")
	f.StringVar(&opts.name, "name", "", "name of the Role (with a base: which Role of the files, when they hold several)")
	f.StringVar(&opts.matrix, "matrix", "", "name of the SkillMatrix the Role refers to (spec.matrixRef)")
	f.StringVar(&opts.displayName, "display-name", "", "the Role's title (spec.displayName); defaults to --name without a base")
	f.StringVar(&opts.base, "base", "", "a Role YAML to take everything but the skills from")
	f.StringVar(&opts.matrixFile, "matrix-file", "", "a SkillMatrix YAML to validate the result against")
	f.BoolVar(&opts.allowRemovals, "allow-removals", false, "remove the base Role's skills the CSV has no row for")
	f.BoolVar(&opts.skipValidation, "skip-validation", false, "import without a SkillMatrix to check against (not recommended)")
	f.StringVarP(&opts.format, "output", "o", "yaml", "format: yaml or json")
	f.StringVar(&opts.outFile, "output-file", "", "write to this file instead of stdout")
	return cmd
}

// importInputs are the CSV and the objects an import reads.
type importInputs struct {
	csvPath string
	csv     []byte
	objects *bundle
	files   string // the object files, for messages
}

// readImportInputs reads the CSV (--csv, or a CSV among the -f files, with a
// deprecation warning) and the objects of --base, --matrix-file and -f.
func (o *options) readImportInputs(opts *importOptions) (*importInputs, error) {
	in := &importInputs{csvPath: opts.csvFile, objects: &bundle{}}
	var objectFiles []string
	for _, given := range append(append([]string{}, opts.files...), opts.base, opts.matrixFile) {
		if given == "" {
			continue
		}
		paths, fromDir, err := expandDir(given)
		if err != nil {
			return nil, err
		}
		for _, path := range paths {
			data, err := o.readFile(path)
			if err != nil {
				return nil, err
			}
			if !fromDir && slices.Contains(opts.files, path) && looksLikeCSV(path, data) {
				if err := o.deprecatedCSV(in, path, data); err != nil {
					return nil, err
				}
				continue
			}
			in.objects.lenient = fromDir
			if err := in.objects.addFile(path, data); err != nil {
				return nil, err
			}
			objectFiles = append(objectFiles, path)
		}
	}
	in.objects.lenient = false
	in.files = strings.Join(objectFiles, ", ")
	if in.csvPath == "" {
		return nil, usageErrorf("missing --csv MATRIX.csv")
	}
	if in.csv == nil {
		var err error
		if in.csv, err = o.readFile(in.csvPath); err != nil {
			return nil, err
		}
	}
	if in.csvPath == "-" {
		in.csvPath = "the CSV on stdin" // for messages
	}
	return in, nil
}

// deprecatedCSV takes a CSV given with -f, as import read it before --csv.
func (o *options) deprecatedCSV(in *importInputs, path string, data []byte) error {
	if in.csv != nil || in.csvPath != "" {
		return usageErrorf("%s is a second CSV: import reads one, given with --csv", path)
	}
	o.warnf("warning: -f %s: reading a CSV with -f is deprecated and will be removed; use --csv %s (-f is for files of objects)\n", path, path)
	in.csvPath, in.csv = path, data
	return nil
}

// looksLikeCSV tells a matrix CSV from a file of objects: by its name, or by
// a first line that is a header naming skill_id.
func looksLikeCSV(path string, data []byte) bool {
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		return true
	}
	first, _, _ := bytes.Cut(bytes.TrimPrefix(data, []byte("\uFEFF")), []byte("\n"))
	return bytes.Contains(first, []byte(render.CSVColSkillID)) && bytes.Contains(first, []byte(","))
}

func (o *options) importCSV(cmd *cobra.Command, opts *importOptions) (*v1.Role, error) {
	in, err := o.readImportInputs(opts)
	if err != nil {
		return nil, err
	}
	hasBase := len(in.objects.roles) > 0
	if !hasBase && (opts.name == "" || opts.matrix == "") {
		return nil, usageErrorf("without --base, --name and --matrix are required: the CSV holds the skill rows only")
	}
	imported, err := render.ParseCSV(in.csv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in.csvPath, err)
	}
	for _, col := range imported.Ignored {
		o.warnf("warning: %s: ignoring column %q, which is not part of the matrix layout\n", in.csvPath, col)
	}
	layout := scanCSV(in.csv)

	role := &v1.Role{}
	if hasBase {
		picked, err := pickRole(in.objects.roles, opts.name, in.files)
		if err != nil {
			return nil, err
		}
		if err := o.checkLosses(picked.Spec.Skills, imported, layout, opts.allowRemovals, in.csvPath); err != nil {
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
	if err := o.validateImport(cmd.Context(), role, in, opts.skipValidation, layout); err != nil {
		return nil, err
	}
	return role, nil
}

// validateImport checks the imported Role against its SkillMatrix: from the
// files, else from the cluster. Without either it refuses, unless
// skipValidation.
func (o *options) validateImport(ctx context.Context, role *v1.Role, in *importInputs, skipValidation bool, layout csvLayout) error {
	ref := string(role.Spec.MatrixRef)
	var matrix *v1.SkillMatrix
	switch {
	case len(in.objects.matrices) > 0:
		m, err := in.objects.matrix(ref, role.Namespace, in.files)
		if err != nil {
			return fmt.Errorf("SkillMatrix %q: %w", ref, err)
		}
		matrix = m
	case skipValidation:
		o.warnf("warning: --skip-validation: the imported Role was not checked against SkillMatrix %q\n", ref)
		return nil
	default:
		m, err := o.clusterMatrix(ctx, ref, role.Namespace)
		if err != nil {
			return fmt.Errorf("cannot check the import against SkillMatrix %q: %w\n"+
				"Give the SkillMatrix with --matrix-file, or pass --skip-validation to import unchecked", ref, err)
		}
		matrix = m
	}
	if err := validation.CheckMatrix(matrix); err != nil {
		return err
	}
	r := validation.Role(&role.Spec, &matrix.Spec)
	if !r.HasErrors() {
		return nil
	}
	errs := r.Errors()
	msgs := make([]string, 0, len(errs))
	for _, p := range errs {
		msgs = append(msgs, layout.describe(p))
	}
	return fmt.Errorf("%s does not fit SkillMatrix %q (%s):\n  %s", in.csvPath, matrix.Name,
		text.Plural(len(errs), "problem", "problems"), strings.Join(msgs, "\n  "))
}

// clusterMatrix reads a SkillMatrix from the cluster, in namespace ns when
// the Role names one.
func (o *options) clusterMatrix(ctx context.Context, name, ns string) (*v1.SkillMatrix, error) {
	s, err := o.connect()
	if err != nil {
		return nil, err
	}
	if ns != "" {
		s.ns = ns
	}
	return s.getMatrix(ctx, name)
}

// csvLayout is what the CSV looked like, beyond what ParseCSV returns: its
// columns and the line of each skill row, so problems are reported in the
// spreadsheet's terms rather than as spec paths.
type csvLayout struct {
	columns map[string]bool
	lines   map[string]int
}

// scanCSV reads the header and the line of each skill_id of a CSV that
// ParseCSV accepted.
func scanCSV(data []byte) csvLayout {
	l := csvLayout{columns: map[string]bool{}, lines: map[string]int{}}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return l
	}
	skill := -1
	for i, h := range header {
		h = strings.TrimSpace(h)
		l.columns[h] = true
		if h == render.CSVColSkillID {
			skill = i
		}
	}
	for {
		rec, err := r.Read()
		if err != nil {
			return l
		}
		if skill < len(rec) {
			line, _ := r.FieldPos(skill)
			l.lines[strings.TrimSpace(rec[skill])] = line
		}
	}
}

// describe says where in the CSV a validation problem is: the line of its
// skill row and the column of its level (or skill_id).
func (l csvLayout) describe(p validation.Problem) string {
	line, ok := l.lines[p.Skill]
	if p.Skill == "" || !ok {
		return "in the Role, " + p.Message // not from a CSV row: from the base
	}
	col := render.CSVColSkillID
	switch p.Kind {
	case validation.KindUnknownProficiency, validation.KindMissingCell, validation.KindDuplicateCell, validation.KindUnknownLevel:
		if p.Level != "" {
			col = p.Level
		}
	}
	return fmt.Sprintf("line %d, column %s: %s", line, col, strings.TrimPrefix(p.Message, p.Field+": "))
}

// checkLosses refuses an import that would erase what the base Role holds:
// a column with data in the base that the CSV lacks, and, without
// allowRemovals, skills the CSV has no row for.
func (o *options) checkLosses(base []v1.SkillRequirement, imported *render.ImportedCSV, layout csvLayout, allowRemovals bool, csvPath string) error {
	inCSV := make(map[v1.ID]bool, len(imported.Skills))
	for _, r := range imported.Skills {
		inCSV[r.ID] = true
	}
	if missing := missingColumns(base, inCSV, imported.Levels, layout); len(missing) > 0 {
		return fmt.Errorf("%s does not give %s that the base Role has data in; importing it would erase that data:\n  %s\n"+
			"Add the %s (kubectl skillmatrix export writes every column), empty where you mean to clear the data",
			csvPath, text.Plural(len(missing), "column", "columns"), strings.Join(missing, "\n  "),
			text.Agree(len(missing), "column", "columns"))
	}
	var removed []string
	for _, r := range base {
		if !inCSV[r.ID] {
			removed = append(removed, string(r.ID))
		}
	}
	switch {
	case len(removed) == 0:
		return nil
	case !allowRemovals:
		them := text.Agree(len(removed), "it", "them")
		return fmt.Errorf("%s has no row for %s of the base Role, so the import would remove %s: %s\n"+
			"Pass --allow-removals to remove %s, or add %s back",
			csvPath, text.Plural(len(removed), "skill", "skills"), them, strings.Join(removed, ", "),
			them, text.Agree(len(removed), "its row", "their rows"))
	}
	o.warnf("warning: removing %s the CSV has no row for: %s\n", text.Plural(len(removed), "skill", "skills"), strings.Join(removed, ", "))
	return nil
}

// missingColumns lists the CSV columns the base Role's kept rows have data
// in but the import would not read, each with how much data and a first
// skill. A level's columns are read only when ParseCSV took it for a level
// (both L and L_required are there): a lone "senior" column is ignored, so
// it counts as missing.
func missingColumns(base []v1.SkillRequirement, inCSV map[v1.ID]bool, levels []v1.ID, layout csvLayout) []string {
	type use struct {
		what, level string
		cells       int
		first       v1.ID
	}
	var order []string
	uses := map[string]*use{}
	note := func(level v1.ID, col, what string, skill v1.ID) {
		if slices.Contains(levels, level) && layout.columns[col] {
			return
		}
		u, ok := uses[col]
		if !ok {
			u = &use{what: what, level: string(level), first: skill}
			uses[col] = u
			order = append(order, col)
		}
		u.cells++
	}
	for _, r := range base {
		if !inCSV[r.ID] {
			continue // a removed row: checkLosses reports it
		}
		for _, c := range r.Cells {
			level := string(c.Level)
			note(c.Level, level, "proficiency", r.ID)
			if c.Required {
				note(c.Level, level+render.CSVSuffixRequired, "required flag", r.ID)
			}
			if c.Description != "" {
				note(c.Level, level+render.CSVSuffixDescription, "description", r.ID)
			}
			if len(c.Examples) > 0 {
				note(c.Level, level+render.CSVSuffixExamples, "examples", r.ID)
			}
		}
	}
	out := make([]string, 0, len(order))
	for _, col := range order {
		u := uses[col]
		line := fmt.Sprintf("column %s: the %s of %s (first: skill %s)",
			col, u.what, text.Plural(u.cells, "cell", "cells"), text.Quote(u.first))
		if layout.columns[col] {
			line += fmt.Sprintf("; the column is there, but without its level's %s column it is not read", text.Quote(u.level+render.CSVSuffixRequired))
		}
		out = append(out, line)
	}
	return out
}

// marshalAs encodes an object as YAML or indented JSON.
func marshalAs(format string, obj any) ([]byte, error) {
	if format == formatJSON {
		var buf bytes.Buffer
		err := writeJSON(&buf, obj)
		return buf.Bytes(), err
	}
	return yaml.Marshal(obj)
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
		return nil, usageErrorf("%s holds %s (%s): pick one with --name", file, text.Plural(len(roles), "Role", "Roles"), strings.Join(names, ", "))
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
