package manifestedit

import (
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// editor computes the splice for one change on a parsed Role document.
type editor struct {
	t      *text
	spec   *yaml.Node
	layout layout
}

func newEditor(p *parsed) *editor {
	e := &editor{t: p.text, spec: mapValue(p.root, "spec")}
	e.layout = detectLayout(p, e.spec)
	return e
}

func isFlow(nodes ...*yaml.Node) bool {
	for _, n := range nodes {
		if n != nil && n.Style&yaml.FlowStyle != 0 {
			return true
		}
	}
	return false
}

// item is the first mapping of a sequence whose key holds want.
func item(seq *yaml.Node, key, want string) (int, *yaml.Node) {
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return -1, nil
	}
	for i, it := range seq.Content {
		if scalar(mapValue(it, key)) == want {
			return i, it
		}
	}
	return -1, nil
}

func (e *editor) setCell(c *v1alpha1.Change) (splice, error) {
	skills := mapValue(e.spec, "skills")
	_, row := item(skills, "id", string(c.Skill))
	cells := mapValue(row, "cells")
	_, cell := item(cells, keyLevel, string(c.Level))
	if cell == nil || cell.Kind != yaml.MappingNode {
		return splice{}, notPlain(e.spec.Line, "cannot find the cell of %s", describe(c))
	}
	flow := isFlow(skills, row, cells, cell)
	if c.Op == v1alpha1.OpSetProficiency {
		return e.setEntry(cell, flow, "proficiency", strValue(string(c.Proficiency)), "level", false)
	}
	return e.setEntry(cell, flow, "required", boolValue(*c.Required), "proficiency", !*c.Required)
}

// setLevel sets a level's focus or techStack, adding the level's entry (and
// spec.levels) when the file has none, as governance.Apply does.
func (e *editor) setLevel(c *v1alpha1.Change, key string, v value, empty bool) (splice, error) {
	levels := mapValue(e.spec, "levels")
	_, lv := item(levels, keyLevel, string(c.Level))
	if lv == nil {
		if empty {
			return splice{}, nil
		}
		return e.appendItem(e.spec, "levels", value{entries: []entry{{keyLevel, strValue(string(c.Level))}, {key, v}}})
	}
	if lv.Kind != yaml.MappingNode {
		return splice{}, notPlain(lv.Line, "a level entry that is not a mapping")
	}
	after := keyLevel
	if key == "techStack" && mapValue(lv, "focus") != nil {
		after = "focus"
	}
	return e.setEntry(lv, isFlow(levels, lv), key, v, after, empty)
}

// setEntry replaces key's value in m, or adds the entry after the entry
// `after` when m lacks it (unless skipIfAbsent: the absent value already
// means the new one).
func (e *editor) setEntry(m *yaml.Node, flow bool, key string, v value, after string, skipIfAbsent bool) (splice, error) {
	k, cur := mapEntry(m, key)
	if cur == nil {
		if skipIfAbsent {
			return splice{}, nil
		}
		return e.insertEntry(m, after, key, v)
	}
	return e.replaceValue(k, cur, flow, v)
}

// insertEntry adds "key: v" to m after the entry `after` (or the last one):
// in a block mapping on a new line at the mapping's indentation, after any
// comment on the line it follows; in a flow mapping after that entry's value.
func (e *editor) insertEntry(m *yaml.Node, after, key string, v value) (splice, error) {
	if m.Kind != yaml.MappingNode || len(m.Content) == 0 {
		return splice{}, notPlain(m.Line, "cannot add %q to an empty or non-mapping node", key)
	}
	ak, av := mapEntry(m, after)
	if av == nil {
		ak, av = m.Content[len(m.Content)-2], m.Content[len(m.Content)-1]
	}
	end, err := e.t.end(av, ak.Column-1)
	if err != nil {
		return splice{}, err
	}
	if isFlow(m) {
		s, err := e.layout.renderAfterKey(v, 0, true)
		return insert(end, ", "+key+":"+s), err
	}
	keyCol := m.Content[0].Column - 1
	s, err := e.layout.renderAfterKey(v, keyCol, false)
	return insert(e.t.lineEnd(end), e.t.nl+strings.Repeat(" ", keyCol)+key+":"+s), err
}

// afterColon is the offset just past the ':' that follows a key.
func (e *editor) afterColon(k *yaml.Node) (int, error) {
	end, err := e.t.end(k, 0)
	if err != nil {
		return 0, err
	}
	for i := end; i < len(e.t.b); i++ {
		switch e.t.b[i] {
		case ':':
			return i + 1, nil
		case ' ', '\t':
		default:
			return 0, notPlain(k.Line, "cannot find the ':' after the key %q", k.Value)
		}
	}
	return 0, notPlain(k.Line, "cannot find the ':' after the key %q", k.Value)
}

// replaceValue writes v over the value cur of the key k, keeping cur's
// style: a scalar keeps its quoting or block style, a block sequence its
// dash indentation, a flow sequence stays flow.
func (e *editor) replaceValue(k, cur *yaml.Node, flow bool, v value) (splice, error) {
	keyCol := k.Column - 1
	start := e.t.start(cur)
	end, err := e.t.end(cur, keyCol)
	if err != nil {
		return splice{}, err
	}
	if v.isList && cur.Kind == yaml.SequenceNode && !isFlow(cur) && len(v.list) > 0 {
		l := e.layout
		dashCol := e.t.column0(start)
		l.dashGap = cur.Content[0].Column - 1 - dashCol
		s, err := l.renderBlockItems(e.reuseItems(cur, v.list), dashCol)
		return replace(start, end, s), err
	}
	if v.isList || cur.Kind != yaml.ScalarNode || (cur.Tag == tagNull && cur.Value == "") {
		from, err := e.afterColon(k)
		if err != nil {
			return splice{}, err
		}
		s, err := e.layout.renderAfterKey(v, keyCol, flow || isFlow(cur))
		return replace(from, end, s), err
	}
	if sameScalar(cur, v) {
		return splice{}, nil
	}
	ctx := context{flow: flow, indent: e.blockIndent(cur, keyCol), nl: e.t.nl}
	if v.boolean != nil {
		return replace(start, end, renderBool(*v.boolean)), nil
	}
	s, err := renderString(*v.str, ctx, cur.Style)
	return replace(start, end, s), err
}

// reuseItems gives each new scalar item the source text of an unused old
// single-line item with the same value, so unchanged items keep their
// quoting and the diff shows only what changed.
func (e *editor) reuseItems(old *yaml.Node, items []value) []value {
	used := make([]bool, len(old.Content))
	out := make([]value, len(items))
	for i, it := range items {
		out[i] = it
		for j, o := range old.Content {
			if used[j] || it.str == nil || o.Kind != yaml.ScalarNode || o.Tag != "!!str" || o.Value != *it.str {
				continue
			}
			start := e.t.start(o)
			end, err := e.t.end(o, 0)
			if err == nil && e.t.lineOf(start) == e.t.lineOf(end) {
				used[j], out[i].raw = true, string(e.t.b[start:end])
				break
			}
		}
	}
	return out
}

// sameScalar says the file already holds v, written as its plain form.
func sameScalar(cur *yaml.Node, v value) bool {
	if v.boolean != nil {
		return cur.Tag == "!!bool" && cur.Value == renderBool(*v.boolean)
	}
	return cur.Tag == "!!str" && cur.Value == *v.str
}

// blockIndent is the content indentation for a scalar that replaces cur: a
// block scalar's own, else one step beyond its key.
func (e *editor) blockIndent(cur *yaml.Node, keyCol int) int {
	if cur.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		for line := cur.Line; line < len(e.t.lines); line++ {
			if ls := e.t.lines[line]; ls < len(e.t.b) && !e.t.blankLine(ls) {
				if in := e.t.indentAt(ls); in > keyCol {
					return in
				}
				break
			}
		}
	}
	return keyCol + e.layout.indent
}
