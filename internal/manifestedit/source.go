package manifestedit

import (
	"bytes"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// text is one YAML document's bytes with its line starts, to turn the
// parser's (line, column) into byte offsets and to find where nodes end: the
// parser reports only where a node starts.
type text struct {
	b     []byte
	lines []int // byte offset of each line's start; lines[0] == 0
	nl    string
}

func newText(b []byte) *text {
	t := &text{b: b, lines: []int{0}, nl: "\n"}
	for i, c := range b {
		if c == '\n' {
			t.lines = append(t.lines, i+1)
		}
	}
	if bytes.Contains(b, []byte("\r\n")) {
		t.nl = "\r\n"
	}
	return t
}

// offset turns the parser's 1-based line and column (counted in characters)
// into a byte offset.
func (t *text) offset(line, col int) int {
	if line < 1 || line > len(t.lines) {
		return len(t.b)
	}
	off := t.lines[line-1]
	for range col - 1 {
		if off >= len(t.b) || t.b[off] == '\n' {
			break
		}
		_, size := utf8.DecodeRune(t.b[off:])
		off += size
	}
	return off
}

func (t *text) start(n *yaml.Node) int { return t.offset(n.Line, n.Column) }

// lineOf is the 1-based line of a byte offset.
func (t *text) lineOf(off int) int {
	lo, hi := 0, len(t.lines)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if t.lines[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1
}

// lineStart is the offset of the start of the line holding off.
func (t *text) lineStart(off int) int { return t.lines[t.lineOf(off)-1] }

// lineEnd is the offset of the line break (before "\r\n" or "\n") ending the
// line that holds off, or the end of the text.
func (t *text) lineEnd(off int) int {
	i := bytes.IndexByte(t.b[off:], '\n')
	if i < 0 {
		return len(t.b)
	}
	end := off + i
	if end > 0 && t.b[end-1] == '\r' {
		end--
	}
	return end
}

// column0 is the 0-based column, in characters, of a byte offset.
func (t *text) column0(off int) int { return utf8.RuneCount(t.b[t.lineStart(off):off]) }

// indentAt counts the spaces that start the line beginning at off.
func (t *text) indentAt(lineStart int) int {
	n := 0
	for lineStart+n < len(t.b) && t.b[lineStart+n] == ' ' {
		n++
	}
	return n
}

// blankLine says whether the line starting at off holds only spaces or tabs.
func (t *text) blankLine(lineStart int) bool {
	return strings.TrimSpace(string(t.b[lineStart:t.lineEnd(lineStart)])) == ""
}

// end is the offset just past a node's last character, not counting a
// comment or line break after it. parentIndent is the 0-based column of the
// key or dash that holds the node (a block scalar's content must be indented
// beyond it).
func (t *text) end(n *yaml.Node, parentIndent int) (int, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return t.scalarEnd(n, parentIndent)
	case yaml.MappingNode, yaml.SequenceNode:
		if n.Style&yaml.FlowStyle != 0 {
			return t.flowEnd(n)
		}
		if len(n.Content) == 0 {
			return 0, notPlain(n.Line, "an empty block collection")
		}
		last := n.Content[len(n.Content)-1]
		indent := t.column0(t.start(n))
		if n.Kind == yaml.MappingNode {
			indent = n.Content[len(n.Content)-2].Column - 1
		}
		return t.end(last, indent)
	default:
		return 0, notPlain(n.Line, "an alias or an unexpected node")
	}
}

// flowEnd finds the bracket that closes a flow collection: after its last
// entry only blanks, line breaks, comments and one comma may come.
func (t *text) flowEnd(n *yaml.Node) (int, error) {
	closing := byte('}')
	if n.Kind == yaml.SequenceNode {
		closing = ']'
	}
	from := t.start(n) + 1
	if len(n.Content) > 0 {
		last := n.Content[len(n.Content)-1]
		e, err := t.end(last, t.column0(t.start(last)))
		if err != nil {
			return 0, err
		}
		from = e
	}
	for i := from; i < len(t.b); i++ {
		switch t.b[i] {
		case closing:
			return i + 1, nil
		case ' ', '\t', '\n', '\r', ',':
		case '#':
			i = t.lineEnd(i)
		default:
			return 0, notPlain(t.lineOf(i), "cannot find the end of a flow collection")
		}
	}
	return 0, notPlain(n.Line, "an unterminated flow collection")
}

func (t *text) scalarEnd(n *yaml.Node, parentIndent int) (int, error) {
	s := t.start(n)
	switch {
	case n.Style&(yaml.TaggedStyle) != 0 || n.Anchor != "":
		return 0, notPlain(n.Line, "a tag or anchor")
	case n.Style&yaml.DoubleQuotedStyle != 0:
		return t.quotedEnd(s, '"')
	case n.Style&yaml.SingleQuotedStyle != 0:
		return t.quotedEnd(s, '\'')
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return t.blockScalarEnd(n, s, parentIndent)
	case n.Tag == tagNull && n.Value == "":
		return s, nil
	}
	if strings.HasPrefix(string(t.b[s:]), n.Value) && !strings.Contains(n.Value, "\n") {
		return s + len(n.Value), nil
	}
	return t.multiLinePlainEnd(n, s)
}

func (t *text) quotedEnd(s int, quote byte) (int, error) {
	for i := s + 1; i < len(t.b); i++ {
		c := t.b[i]
		if quote == '"' && c == '\\' {
			i++
			continue
		}
		if c != quote {
			continue
		}
		if quote == '\'' && i+1 < len(t.b) && t.b[i+1] == '\'' {
			i++
			continue
		}
		return i + 1, nil
	}
	return 0, notPlain(t.lineOf(s), "an unterminated quoted string")
}

// blockScalarEnd is the end of the last non-blank content line of a literal
// or folded scalar: its content lines are blank or indented at least as deep
// as the first non-blank one (or as the explicit indentation indicator says).
func (t *text) blockScalarEnd(n *yaml.Node, s, parentIndent int) (int, error) {
	header := strings.TrimSpace(string(t.b[s:t.lineEnd(s)]))
	if i := strings.Index(header, "#"); i >= 0 {
		header = strings.TrimSpace(header[:i])
	}
	indent := -1
	if d := strings.IndexAny(header, "123456789"); d >= 0 {
		indent = parentIndent + int(header[d]-'0')
	}
	end := t.lineEnd(s)
	for line := t.lineOf(s); line < len(t.lines); line++ {
		ls := t.lines[line]
		if ls >= len(t.b) {
			break
		}
		if t.blankLine(ls) {
			continue
		}
		in := t.indentAt(ls)
		if indent < 0 {
			if in <= parentIndent {
				break
			}
			indent = in
		}
		if in < indent {
			break
		}
		end = t.lineEnd(ls)
	}
	if end == t.lineEnd(s) && n.Value != "" {
		return 0, notPlain(n.Line, "cannot find the end of a block scalar")
	}
	return end, nil
}

// multiLinePlainEnd follows a plain scalar over its lines, folding them as
// YAML does, until the text read is its value.
func (t *text) multiLinePlainEnd(n *yaml.Node, s int) (int, error) {
	var got strings.Builder
	breaks := 0
	for off, first := s, true; off < len(t.b); first = false {
		le := t.lineEnd(off)
		seg := string(t.b[off:le])
		if i := strings.Index(seg, " #"); i >= 0 {
			seg = seg[:i]
		}
		content := strings.TrimRight(strings.TrimLeft(seg, " \t"), " \t")
		switch {
		case content == "" && !first:
			breaks++
		default:
			if !first {
				if breaks == 0 {
					got.WriteByte(' ')
				}
				got.WriteString(strings.Repeat("\n", breaks))
			}
			breaks = 0
			got.WriteString(content)
			if got.String() == n.Value {
				return off + len(strings.TrimRight(seg, " \t")), nil
			}
			if !strings.HasPrefix(n.Value, got.String()) {
				return 0, notPlain(n.Line, "cannot follow a multi-line plain scalar")
			}
		}
		if le >= len(t.b) {
			break
		}
		off = t.lines[t.lineOf(le)]
	}
	return 0, notPlain(n.Line, "cannot follow a multi-line plain scalar")
}
