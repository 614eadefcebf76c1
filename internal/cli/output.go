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
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/spf13/pflag"
	"golang.org/x/text/width"
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

// table is a printer into aligned columns, laid out as text/tabwriter lays
// them out with a padding of two spaces: a cell ends in a tab, the text
// after a line's last tab is not aligned, and a column is as wide as its
// widest cell over the run of adjacent lines that have it. Unlike
// text/tabwriter, which counts runes, it measures cells in terminal columns,
// so a column holding Chinese (two columns a character) lines up too.
type table struct {
	printer
	buf bytes.Buffer
}

func (p *printer) table() *table {
	t := &table{}
	t.w = &t.buf
	return t
}

// flush writes the table out.
func (p *printer) flush(t *table) {
	if p.err == nil {
		p.err = t.err
	}
	if p.err == nil {
		_, p.err = io.WriteString(p.w, alignColumns(t.buf.String()))
	}
}

// columnPadding is the space between two columns of a table.
const columnPadding = 2

// alignColumns pads the tab-terminated cells of s to their columns' widths;
// see table.
func alignColumns(s string) string {
	lines := strings.Split(s, "\n")
	cells := make([][]string, len(lines))
	for i, l := range lines {
		cells[i] = strings.Split(l, "\t") // the last is the text after the last tab
	}
	widths := make([][]int, len(lines))
	for col := 0; ; col++ {
		found := false
		for i := 0; i < len(lines); {
			if len(cells[i])-1 <= col {
				i++
				continue
			}
			found = true
			end, w := i, 0
			for ; end < len(lines) && len(cells[end])-1 > col; end++ {
				w = max(w, displayWidth(cells[end][col]))
			}
			for ; i < end; i++ {
				widths[i] = append(widths[i], w+columnPadding)
			}
		}
		if !found {
			break
		}
	}
	var b strings.Builder
	for i, row := range cells {
		if i > 0 {
			b.WriteByte('\n')
		}
		for col, cell := range row {
			b.WriteString(cell)
			if col < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i][col]-displayWidth(cell)))
			}
		}
	}
	return b.String()
}

// displayWidth is how many terminal columns s takes: two for a wide or
// full-width character (CJK), none for a combining mark or a format
// character, one for anything else (East Asian ambiguous ones such as "—"
// included, as terminals outside CJK locales draw them).
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		case width.LookupRune(r).Kind() == width.EastAsianWide, width.LookupRune(r).Kind() == width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
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
