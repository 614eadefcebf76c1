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
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// printer writes formatted text and keeps the first error, so a function
// that prints many lines checks the writer once, at the end.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) ln(args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintln(p.w, args...)
	}
}

// table is a printer into aligned columns.
type table struct {
	printer
	tw *tabwriter.Writer
}

func (p *printer) table() *table {
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	return &table{printer: printer{w: tw}, tw: tw}
}

// flush writes the table out.
func (p *printer) flush(t *table) {
	err := t.tw.Flush()
	if p.err == nil {
		p.err = t.err
	}
	if p.err == nil {
		p.err = err
	}
}

// warnf writes a message to stderr; a failure to write it has nowhere to go.
func (o *options) warnf(format string, args ...any) {
	_, _ = fmt.Fprintf(o.streams.ErrOut, format, args...)
}

// Output formats of -o beyond each command's default text.
const (
	formatText = "text"
	formatYAML = "yaml"
	formatName = "name"
	formatWide = "wide"
)

// writeData writes v as indented JSON or as YAML (format is one of the two).
func writeData(w io.Writer, format string, v any) error {
	if format == formatJSON {
		return writeJSON(w, v)
	}
	data, err := yaml.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// proposalRef is how -o name names a Proposal, as kubectl does.
func proposalRef(name string) string {
	return "proposal.career.skillmatrix.dev/" + name
}

// printableProposal is p as `kubectl get -o yaml` shows it: with its
// apiVersion and kind, without managedFields.
func printableProposal(p *v1.Proposal) *v1.Proposal {
	out := p.DeepCopy()
	out.APIVersion, out.Kind = v1.GroupVersion.String(), kindProposal
	out.ManagedFields = nil
	return out
}

// dryRun is --dry-run, with kubectl's meaning: none sends the request,
// client prints what would be sent without sending it, server sends it
// with dryRun=All, so the API server and its admission policies judge it and
// nothing is stored.
type dryRun string

// The --dry-run values.
const (
	dryRunNone   dryRun = "none"
	dryRunClient dryRun = "client"
	dryRunServer dryRun = "server"
)

// addDryRunFlag adds --dry-run; --dry-run alone means client, as in kubectl.
func addDryRunFlag(fs *pflag.FlagSet, value *string, what string) {
	fs.StringVar(value, "dry-run", string(dryRunNone),
		`"none", "client" (print `+what+` without sending it) or "server" (send it with dryRun=All: the API server and the admission policy judge it, nothing is written)`)
	fs.Lookup("dry-run").NoOptDefVal = string(dryRunClient)
}

// parseDryRun reads --dry-run; true and false are kubectl's old spellings of
// client and none.
func parseDryRun(value string) (dryRun, error) {
	switch strings.ToLower(value) {
	case "none", "false", "":
		return dryRunNone, nil
	case "client", "true":
		return dryRunClient, nil
	case "server":
		return dryRunServer, nil
	}
	return "", usageErrorf("--dry-run %q: want none, client or server", value)
}

// suffix is what kubectl appends to a message about a dry run.
func (d dryRun) suffix() string {
	switch d {
	case dryRunClient:
		return " (dry run)"
	case dryRunServer:
		return " (server dry run)"
	}
	return ""
}
