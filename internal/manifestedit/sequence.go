package manifestedit

import (
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// appendItem appends it to the sequence under key in parent, creating the
// key (after parent's last entry) when parent lacks it. A new block item
// goes on the line after the last item's last line, at the existing items'
// dash column.
func (e *editor) appendItem(parent *yaml.Node, key string, it value) (splice, error) {
	k, seq := mapEntry(parent, key)
	if seq == nil {
		return e.insertEntry(parent, "", key, value{isList: true, list: []value{it}})
	}
	if seq.Kind == yaml.ScalarNode && seq.Tag == tagNull {
		return e.replaceValue(k, seq, false, value{isList: true, list: []value{it}})
	}
	if seq.Kind != yaml.SequenceNode {
		return splice{}, notPlain(seq.Line, "%s is not a list", key)
	}
	if isFlow(seq) {
		end, err := e.t.end(seq, k.Column-1)
		if err != nil {
			return splice{}, err
		}
		s, err := e.layout.renderFlow(it)
		if len(seq.Content) == 0 {
			return insert(end-1, s), err
		}
		lastEnd, err2 := e.t.end(seq.Content[len(seq.Content)-1], 0)
		if err2 != nil {
			return splice{}, err2
		}
		return insert(lastEnd, ", "+s), err
	}
	dashCol := e.t.column0(e.t.start(seq))
	l := e.layout
	l.dashGap = seq.Content[0].Column - 1 - dashCol
	last := seq.Content[len(seq.Content)-1]
	end, err := e.t.end(last, dashCol)
	if err != nil {
		return splice{}, err
	}
	s, err := l.renderItem(it, dashCol)
	return insert(e.t.lineEnd(end), e.t.nl+strings.Repeat(" ", dashCol)+s), err
}

// removeSkill deletes the skill's row: in a block sequence the lines from
// its dash to its last line, so comments before the row (a category
// heading) and after it stay; the last row leaves "skills: []".
func (e *editor) removeSkill(id v1alpha1.ID) (splice, error) {
	k, seq := mapEntry(e.spec, "skills")
	i, row := item(seq, "id", string(id))
	if row == nil {
		return splice{}, notPlain(e.spec.Line, "cannot find the skill %q", id)
	}
	if isFlow(seq) {
		return e.removeFlowItem(seq, i)
	}
	dash, err := e.dash(row)
	if err != nil {
		return splice{}, err
	}
	end, err := e.t.end(row, e.t.column0(dash))
	if err != nil {
		return splice{}, err
	}
	lineEnd := e.t.lineEnd(end)
	if len(seq.Content) == 1 {
		from, err := e.afterColon(k)
		return replace(from, lineEnd, " []"), err
	}
	to := lineEnd
	if line := e.t.lineOf(lineEnd); line < len(e.t.lines) {
		to = e.t.lines[line]
	}
	return replace(e.t.lineStart(dash), to, ""), nil
}

// dash is the offset of the '-' of a block sequence item, which must start
// its line.
func (e *editor) dash(it *yaml.Node) (int, error) {
	i := e.t.start(it) - 1
	for i >= 0 && (e.t.b[i] == ' ' || e.t.b[i] == '\t') {
		i--
	}
	if i < 0 || e.t.b[i] != '-' || strings.TrimSpace(string(e.t.b[e.t.lineStart(i):i])) != "" {
		return 0, notPlain(it.Line, "a list item whose dash does not start its line")
	}
	return i, nil
}

func (e *editor) removeFlowItem(seq *yaml.Node, i int) (splice, error) {
	items := seq.Content
	start := e.t.start(items[i])
	end, err := e.t.end(items[i], 0)
	if err != nil {
		return splice{}, err
	}
	switch {
	case i+1 < len(items):
		return replace(start, e.t.start(items[i+1]), ""), nil
	case i > 0:
		prevEnd, err := e.t.end(items[i-1], 0)
		return replace(prevEnd, end, ""), err
	default:
		return replace(start, end, ""), nil
	}
}

// detectLayout learns the file's indentation from the spec: the step of
// its keys, and the first block sequence under a key (dash offset and gap).
// Without examples it writes the common 2-space, indented-dash style.
func detectLayout(p *parsed, spec *yaml.Node) layout {
	l := layout{indent: 2, seqOffset: 2, dashGap: 2, nl: p.text.nl}
	if k, _ := mapEntry(p.root, "spec"); k != nil && spec != nil && !isFlow(spec) && len(spec.Content) > 0 {
		if step := spec.Content[0].Column - k.Column; step > 0 {
			l.indent, l.seqOffset = step, step
		}
	}
	if k, seq := firstBlockSequence(spec); seq != nil {
		dashCol := p.text.column0(p.text.start(seq))
		l.seqOffset = max(dashCol-(k.Column-1), 0)
		l.dashGap = max(seq.Content[0].Column-1-dashCol, 1)
	}
	_, row := item(mapValue(spec, "skills"), "id", scalarOfFirst(mapValue(spec, "skills"), "id"))
	if cells := mapValue(row, "cells"); cells != nil && len(cells.Content) > 0 {
		l.flowCells = isFlow(cells.Content[0])
	}
	return l
}

func scalarOfFirst(seq *yaml.Node, key string) string {
	if seq == nil || seq.Kind != yaml.SequenceNode || len(seq.Content) == 0 {
		return ""
	}
	return scalar(mapValue(seq.Content[0], key))
}

// firstBlockSequence is the first non-empty block sequence held by a
// mapping key, depth first.
func firstBlockSequence(n *yaml.Node) (key, seq *yaml.Node) {
	if n == nil {
		return nil, nil
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			v := n.Content[i+1]
			if v.Kind == yaml.SequenceNode && !isFlow(v) && len(v.Content) > 0 {
				return n.Content[i], v
			}
			if k, s := firstBlockSequence(v); s != nil {
				return k, s
			}
		}
	}
	for _, c := range n.Content {
		if n.Kind == yaml.SequenceNode {
			if k, s := firstBlockSequence(c); s != nil {
				return k, s
			}
		}
	}
	return nil, nil
}
