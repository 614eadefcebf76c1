package manifestedit

import (
	"strings"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// value is what an edit writes: a string, a boolean, a list or a mapping
// (entries in order). flow asks for a mapping written in flow style when the
// file writes its siblings that way (the sample's `- {level: junior, ...}`).
type value struct {
	str     *string
	raw     string // the source text of an equal scalar to reuse, if any
	boolean *bool
	list    []value
	isList  bool
	entries []entry
	flow    bool
}

type entry struct {
	key string
	val value
}

func strValue(s string) value { return value{str: &s} }
func boolValue(b bool) value  { return value{boolean: &b} }
func listValue(items []string) value {
	v := value{isList: true, list: make([]value, len(items))}
	for i, s := range items {
		v.list[i] = strValue(s)
	}
	return v
}

// layout is how the file indents, learnt from its own collections so new
// lines look like their neighbours: indent is a nested mapping's step,
// seqOffset how far a block sequence's dash sits right of its key (0 for
// "key:\n- a", the indent for "key:\n  - a"), dashGap the columns from a
// dash to its item's content.
type layout struct {
	indent, seqOffset, dashGap int
	flowCells                  bool
	nl                         string
}

func cellValue(c v1alpha1.Cell, l layout) value {
	m := value{flow: l.flowCells, entries: []entry{
		{keyLevel, strValue(string(c.Level))},
		{"proficiency", strValue(string(c.Proficiency))},
	}}
	if c.Required {
		m.entries = append(m.entries, entry{"required", boolValue(true)})
	}
	if c.Description != "" {
		m.entries = append(m.entries, entry{"description", strValue(c.Description)})
	}
	if len(c.Examples) > 0 {
		m.entries = append(m.entries, entry{"examples", listValue(c.Examples)})
	}
	return m
}

func rowValue(id v1alpha1.ID, cells []v1alpha1.Cell, l layout) value {
	list := value{isList: true, list: make([]value, len(cells))}
	for i, c := range cells {
		list.list[i] = cellValue(c, l)
	}
	return value{entries: []entry{{"id", strValue(string(id))}, {"cells", list}}}
}

// renderAfterKey is the text that follows "key:" for v, when the key sits
// at keyCol (0-based) in block context, or in a flow collection.
func (l layout) renderAfterKey(v value, keyCol int, flow bool) (string, error) {
	switch {
	case v.str != nil || v.boolean != nil:
		s, err := l.renderScalar(v, context{flow: flow, indent: keyCol + l.indent, nl: l.nl})
		return " " + s, err
	case flow || v.flow || (v.isList && len(v.list) == 0):
		s, err := l.renderFlow(v)
		return " " + s, err
	case v.isList:
		s, err := l.renderBlockItems(v.list, keyCol+l.seqOffset)
		return l.nl + strings.Repeat(" ", keyCol+l.seqOffset) + s, err
	default:
		s, err := l.renderBlockEntries(v.entries, keyCol+l.indent)
		return l.nl + strings.Repeat(" ", keyCol+l.indent) + s, err
	}
}

func (l layout) renderScalar(v value, ctx context) (string, error) {
	if v.boolean != nil {
		return renderBool(*v.boolean), nil
	}
	if v.raw != "" && !ctx.flow {
		return v.raw, nil
	}
	return renderString(*v.str, ctx, 0)
}

// renderBlockItems writes "- a<nl><pad>- b": the first dash's indentation
// is the caller's, so the text can replace a sequence from its first dash.
func (l layout) renderBlockItems(items []value, dashCol int) (string, error) {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString(l.nl + strings.Repeat(" ", dashCol))
		}
		s, err := l.renderItem(it, dashCol)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// renderItem writes one block sequence item from its dash on.
func (l layout) renderItem(it value, dashCol int) (string, error) {
	col := dashCol + l.dashGap
	prefix := "-" + strings.Repeat(" ", l.dashGap-1)
	switch {
	case it.str != nil || it.boolean != nil:
		s, err := l.renderScalar(it, context{indent: col, nl: l.nl})
		return prefix + s, err
	case it.flow || it.isList:
		s, err := l.renderFlow(it)
		return prefix + s, err
	default:
		s, err := l.renderBlockEntries(it.entries, col)
		return prefix + s, err
	}
}

// renderBlockEntries writes "k: v<nl><pad>k2: v2"; the first key's
// indentation is the caller's.
func (l layout) renderBlockEntries(entries []entry, keyCol int) (string, error) {
	var b strings.Builder
	for i, e := range entries {
		if i > 0 {
			b.WriteString(l.nl + strings.Repeat(" ", keyCol))
		}
		s, err := l.renderAfterKey(e.val, keyCol, false)
		if err != nil {
			return "", err
		}
		b.WriteString(e.key + ":" + s)
	}
	return b.String(), nil
}

func (l layout) renderFlow(v value) (string, error) {
	if v.str != nil || v.boolean != nil {
		return l.renderScalar(v, context{flow: true, nl: l.nl})
	}
	var parts []string
	if v.isList {
		for _, it := range v.list {
			s, err := l.renderFlow(it)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		return "[" + strings.Join(parts, ", ") + "]", nil
	}
	for _, e := range v.entries {
		s, err := l.renderFlow(e.val)
		if err != nil {
			return "", err
		}
		parts = append(parts, e.key+": "+s)
	}
	return "{" + strings.Join(parts, ", ") + "}", nil
}
