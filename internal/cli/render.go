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
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/validation"
)

// loadRole reads a Role and its SkillMatrix from files when any are given,
// else from the cluster. It never reads the rendered ConfigMap, so it works
// while the operator is down.
func (o *options) loadRole(ctx context.Context, name string, files []string) (*v1.SkillMatrix, *v1.Role, error) {
	if len(files) > 0 {
		b, err := o.readFiles(files)
		if err != nil {
			return nil, nil, err
		}
		return b.role(name, o.namespaceFlag(), files)
	}
	if name == "" {
		return nil, nil, usageErrorf("missing ROLE: name a career Role, or give its YAML with -f")
	}
	s, err := o.connect()
	if err != nil {
		return nil, nil, err
	}
	return s.getRole(ctx, name)
}

// namespaceFlag is the value of -n, "" when it was not given.
func (o *options) namespaceFlag() string {
	if o.kube.Namespace == nil {
		return ""
	}
	return *o.kube.Namespace
}

// resolve builds the model the renderers and the calculator share. It
// refuses a SkillMatrix or Role the operator refuses, with the message of
// the status the operator would write: from a file nothing else has checked
// them (a level listed twice would render as an extra level, with wrong
// figures), and from the cluster the operator publishes nothing for them.
func (o *options) resolve(matrix *v1.SkillMatrix, role *v1.Role) (*model.RoleMatrix, error) {
	if err := validation.CheckRole(matrix, role); err != nil {
		return nil, err
	}
	return model.BuildRole(matrix, role).Localized(o.localeOf(matrix)), nil
}

// checkEditable is resolve's check for the commands that work on an edit of
// a Role (propose, and diff -f of two versions): an invalid SkillMatrix is
// refused, since no change can be judged against it, but an invalid Role is
// only warned about, since the edit may be what repairs it (a Proposal
// removing a skill the catalog dropped, say). Diff judges the new version.
func (o *options) checkEditable(matrix *v1.SkillMatrix, role *v1.Role) error {
	err := validation.CheckRole(matrix, role)
	if _, ok := errors.AsType[*validation.InvalidRoleError](err); ok {
		o.warnf("warning: %v\n", err)
		return nil
	}
	return err
}

// localeOf is --locale, else the SkillMatrix's first published locale, else
// en; matrix may be nil (diff -f without one).
func (o *options) localeOf(matrix *v1.SkillMatrix) string {
	if o.locale != "" {
		return o.locale
	}
	if matrix == nil {
		return string(v1.DefaultLocale)
	}
	if l := matrix.Spec.Publishing.Locales; len(l) > 0 {
		return string(l[0])
	}
	return string(v1.DefaultLocale)
}

// addLocaleFlag registers --locale on a command that shows a Role's texts.
func (o *options) addLocaleFlag(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.locale, "locale", "",
		"BCP 47 locale of the output, e.g. zh-CN (default: the SkillMatrix's first published locale, then en)")
}

// write sends data to path, or to stdout when path is "" or "-".
func (o *options) write(path string, data []byte) error {
	if path == "" || path == "-" {
		_, err := o.streams.Out.Write(data)
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	o.warnf("wrote %s (%s)\n", path, text.Plural(len(data), "byte", "bytes"))
	return nil
}

// renderFormats are the -o values of render, with the renderer of each.
var renderFormats = []string{"md", "markdown", "json", "csv", "html", "pdf"}

func renderAs(m *model.RoleMatrix, format string) ([]byte, error) {
	switch format {
	case "md", formatMarkdown:
		return render.Markdown(m), nil
	case formatJSON:
		return render.JSON(m)
	case "csv":
		return render.CSV(m)
	case "html":
		return render.HTML(m)
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

func newRenderCommand(o *options) *cobra.Command {
	var (
		format, outFile string
		files           []string
		pdfOpts         pdfFlags
	)
	cmd := &cobra.Command{
		Use:   "render ROLE [-o md|json|csv|html|pdf] [-f FILE ...] [--output-file PATH]",
		Short: "Render a Role's skill matrix as Markdown, JSON, CSV, HTML or PDF",
		Long: `Render a career Role's skill matrix in one of the formats the operator
publishes (Markdown, JSON, CSV, HTML; see docs/rendering.md) or as a printable
A4 landscape PDF with the summary figures, the legend and one table per
category, required cells marked.

The Role and its SkillMatrix are read from the cluster (the rendered ConfigMap
is not used, so this works while the operator is down) or, with -f, from YAML
files: a SkillMatrix file and a Role file, or one multi-document file. With -f
and a single Role in the files, ROLE may be left out.`,
		Example: `  # The MLOps Engineer matrix from the cluster, as Markdown
  kubectl skillmatrix render mlops-engineer -n career

  # A PDF to print, offline from the sample files
  kubectl skillmatrix render mlops-engineer -o pdf --output-file mlops-engineer.pdf \
    -f config/samples/career_v1alpha1_skillmatrix.yaml -f config/samples/career_v1alpha1_role.yaml

  # The JSON a portal reads, through jq
  kubectl skillmatrix render mlops-engineer -o json | jq '.summary'`,
		Args: args(0, 1, "ROLE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			if err := checkOutput(format, renderFormats...); err != nil {
				return err
			}
			matrix, role, err := o.loadRole(cmd.Context(), first(a), files)
			if err != nil {
				return err
			}
			m, err := o.resolve(matrix, role)
			if err != nil {
				return err
			}
			var data []byte
			if format == "pdf" {
				data, err = o.renderPDF(cmd.Context(), m, &pdfOpts)
			} else {
				data, err = renderAs(m, format)
			}
			if err != nil {
				return err
			}
			return o.write(outFile, data)
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "md", "format: md (markdown), json, csv, html or pdf")
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "read the SkillMatrix and Role from these YAML files instead of the cluster (repeatable, - for stdin)")
	cmd.Flags().StringVar(&outFile, "output-file", "", "write to this file instead of stdout")
	o.addLocaleFlag(cmd)
	pdfOpts.add(cmd)
	return cmd
}

func newExportCommand(o *options) *cobra.Command {
	var (
		format, outFile string
		files           []string
	)
	cmd := &cobra.Command{
		Use:   "export ROLE [-o csv] [-f FILE ...] [--output-file PATH]",
		Short: "Export a Role as the CSV that import reads back",
		Long: `Export a career Role as matrix.csv (docs/rendering.md): one row per skill, per
level the proficiency code and a true/false required column, then the cell
descriptions and examples. Edit it in a spreadsheet and read it back with
"kubectl skillmatrix import"; an unedited export imports to the same Role.`,
		Example: `  kubectl skillmatrix export mlops-engineer -o csv > mlops-engineer.csv

  # Offline, from the sample files
  kubectl skillmatrix export -f config/samples/career_v1alpha1_skillmatrix.yaml \
    -f config/samples/career_v1alpha1_role.yaml --output-file mlops-engineer.csv`,
		Args: args(0, 1, "ROLE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			if err := checkOutput(format, "csv"); err != nil {
				return err
			}
			matrix, role, err := o.loadRole(cmd.Context(), first(a), files)
			if err != nil {
				return err
			}
			m, err := o.resolve(matrix, role)
			if err != nil {
				return err
			}
			data, err := render.CSV(m)
			if err != nil {
				return err
			}
			return o.write(outFile, data)
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "csv", "format: csv")
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "read the SkillMatrix and Role from these YAML files instead of the cluster (repeatable)")
	cmd.Flags().StringVar(&outFile, "output-file", "", "write to this file instead of stdout")
	return cmd
}

func first(a []string) string {
	if len(a) == 0 {
		return ""
	}
	return a[0]
}
