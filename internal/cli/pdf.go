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
	"fmt"

	"github.com/spf13/cobra"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render/pdf"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render/pdf/chromium"
)

// PDF engines of render -o pdf.
const (
	engineBuiltin  = "builtin"
	engineChromium = "chromium"
)

// pdfFlags are render's PDF options.
type pdfFlags struct {
	engine, font   string
	replaceMissing bool
}

func (p *pdfFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&p.engine, "engine", engineBuiltin, "PDF engine: builtin (no browser needed) or chromium (prints matrix.html; any font the system has, emoji)")
	f.StringVar(&p.font, "font", "", "builtin PDF engine: a TrueType .ttf font for what the bundled Go fonts lack (default: a CJK font of the system, e.g. Debian's fonts-droid-fallback)")
	f.BoolVar(&p.replaceMissing, "replace-missing", false, "print characters no font covers anyway (builtin: as \uFFFD; chromium: as the browser draws them, an empty box or nothing) and list them on stderr instead of failing")
}

// renderPDF renders m with the chosen engine. The font is checked before the
// PDF library sees it, so -o pdf on stdout carries nothing but the PDF.
func (o *options) renderPDF(ctx context.Context, m *model.RoleMatrix, p *pdfFlags) ([]byte, error) {
	switch p.engine {
	case engineChromium:
		html, err := render.HTML(m)
		if err != nil {
			return nil, err
		}
		return chromium.Print(ctx, html, chromium.Options{
			ReplaceMissing: p.replaceMissing,
			OnMissing: func(runes []rune) {
				o.warnf("warning: no installed font covers %s; printed as Chromium draws them (an empty box, or nothing)\n", pdf.Characters(runes))
			},
			OnUnchecked: func(err error) { o.warnf("warning: %v; printed unchecked\n", err) },
		})
	case engineBuiltin, "":
	default:
		return nil, fmt.Errorf("unknown --engine %q: want %s or %s", p.engine, engineBuiltin, engineChromium)
	}
	opts := pdf.Options{ReplaceMissing: p.replaceMissing, OnMissing: func(runes []rune) {
		o.warnf("warning: no font covers %s; printed as %q\n", pdf.Characters(runes), pdf.ReplacementMarker)
	}}
	if p.font != "" {
		font, err := pdf.LoadFont(p.font)
		if err != nil {
			return nil, err
		}
		opts.Font = font
	}
	return pdf.Render(m, opts)
}
