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
	"text/tabwriter"
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
