package manifestedit

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"
)

// context is where a rendered scalar goes: inside a flow collection or in
// block context, where a block scalar's lines are indented to indent.
type context struct {
	flow   bool
	indent int
	nl     string
}

// renderString writes value as a YAML scalar that both YAML 1.2 (the parser
// used here, kustomize) and YAML 1.1 (sigs.k8s.io/yaml: kubectl, Argo CD)
// read back as exactly that string. It keeps the style the replaced scalar
// had when that works and otherwise prefers plain, then double quotes, which
// can hold any valid UTF-8. Every candidate is checked by parsing it.
func renderString(value string, ctx context, was yaml.Style) (string, error) {
	if !utf8.ValidString(value) {
		return "", fmt.Errorf("%q is not valid UTF-8", value)
	}
	var candidates []string
	switch {
	case was&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 && !ctx.flow:
		candidates = append(candidates, blockScalar(value, ctx, was))
	case was&yaml.SingleQuotedStyle != 0:
		candidates = append(candidates, singleQuoted(value))
	case was&yaml.DoubleQuotedStyle != 0:
		candidates = append(candidates, doubleQuoted(value))
	}
	candidates = append(candidates, value)
	if strings.Contains(value, "\n") && !ctx.flow {
		candidates = append(candidates, blockScalar(value, ctx, yaml.LiteralStyle))
	}
	candidates = append(candidates, doubleQuoted(value))
	for _, c := range candidates {
		if readsBack(c, value, ctx) {
			return c, nil
		}
	}
	return "", fmt.Errorf("cannot write %q as a YAML string", value)
}

// readsBack parses "k: <rendered>" in the context with both decoders.
func readsBack(rendered, value string, ctx context) bool {
	rendered = strings.ReplaceAll(rendered, "\r\n", "\n")
	if rendered == "" || strings.Contains(rendered, "\r") {
		return false
	}
	snippet := "k: " + rendered + "\n"
	if ctx.flow {
		if strings.Contains(rendered, "\n") {
			return false
		}
		snippet = "{k: " + rendered + "}\n"
	}
	var v3 map[string]any
	if err := yaml.Unmarshal([]byte(snippet), &v3); err != nil {
		return false
	}
	var v1 map[string]any
	if err := sigsyaml.Unmarshal([]byte(snippet), &v1); err != nil {
		return false
	}
	s3, ok3 := v3["k"].(string)
	s1, ok1 := v1["k"].(string)
	return ok3 && ok1 && s3 == value && s1 == value
}

func singleQuoted(v string) string { return "'" + strings.ReplaceAll(v, "'", "''") + "'" }

// doubleQuoted escapes what YAML's double quotes need: the quote, the
// backslash and every non-printable character.
func doubleQuoted(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range v {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0xfeff || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r > 0xffff && !strconv.IsPrint(r):
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// blockScalar writes a literal (or, for one line, folded) block scalar
// with the chomping the value's trailing line breaks need; readsBack refuses
// the values a block scalar cannot hold (leading spaces, trailing blank
// lines it would strip).
func blockScalar(v string, ctx context, was yaml.Style) string {
	body := strings.TrimSuffix(v, "\n")
	chomp := "-"
	if strings.HasSuffix(v, "\n") {
		chomp = ""
	}
	indicator := "|"
	if was&yaml.FoldedStyle != 0 && !strings.Contains(body, "\n") {
		indicator = ">"
	}
	pad := strings.Repeat(" ", ctx.indent)
	var b strings.Builder
	b.WriteString(indicator + chomp)
	for line := range strings.SplitSeq(body, "\n") {
		b.WriteString(ctx.nl)
		if line != "" {
			b.WriteString(pad + line)
		}
	}
	return b.String()
}

func renderBool(v bool) string { return strconv.FormatBool(v) }
