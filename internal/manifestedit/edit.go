package manifestedit

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// Edit applies the changes to the one document of src that is the target
// and returns the new file; every byte outside the changed values is kept.
// The changes are checked first against the Role as the file holds it, with
// governance.Apply's compare-and-swap: any conflict returns a *ConflictError
// and nothing is edited. Errors: *NotFoundError, *AmbiguousError,
// *NotPlainError, *ConflictError (match with errors.Is on the sentinels).
func Edit(src []byte, t Target, changes []v1alpha1.Change) ([]byte, error) {
	doc, err := locate(src, t)
	if err != nil {
		return nil, err
	}
	out, err := editDocument(src[doc.start:doc.end], changes)
	if err != nil {
		if np, ok := errors.AsType[*NotPlainError](err); ok && np.Line > 0 {
			np.Line += doc.firstLine - 1
		}
		return nil, err
	}
	edited := make([]byte, 0, len(src)+len(out)-(doc.end-doc.start))
	edited = append(edited, src[:doc.start]...)
	edited = append(edited, out...)
	return append(edited, src[doc.end:]...), nil
}

// locate finds the one document of src that is the target.
func locate(src []byte, t Target) (document, error) {
	var found []document
	for _, d := range splitDocuments(src) {
		p, err := parseDocument(src[d.start:d.end])
		if err == nil && p.matches(t) {
			found = append(found, d)
		}
	}
	switch len(found) {
	case 0:
		return document{}, &NotFoundError{Target: t}
	case 1:
		return found[0], nil
	}
	places := make([]string, len(found))
	for i, d := range found {
		places[i] = fmt.Sprintf("#%d (line %d)", d.index, d.firstLine)
	}
	return document{}, &AmbiguousError{Target: t, Places: places}
}

func editDocument(b []byte, changes []v1alpha1.Change) ([]byte, error) {
	p, err := parseDocument(b)
	if err != nil {
		return nil, notPlain(0, "it does not parse as YAML: %v", err)
	}
	if err := refuseUnplain(b, p); err != nil {
		return nil, err
	}
	before, err := decodeRole(b)
	if err != nil {
		return nil, err
	}
	want, conflicts := governance.Apply(&before.Spec, changes)
	if len(conflicts) > 0 {
		return nil, &ConflictError{Conflicts: conflicts}
	}
	cur := b
	for i := 0; i < len(changes); {
		var n int
		if cur, n, err = applyBatch(cur, changes[i:]); err != nil {
			return nil, err
		}
		i += n
	}
	if err := verify(b, cur, want); err != nil {
		return nil, err
	}
	return cur, nil
}

// refuseUnplain refuses a document this package cannot edit by splicing.
func refuseUnplain(b []byte, p *parsed) error {
	if bytes.Contains(b, []byte("{{")) {
		return notPlain(0, "it contains template syntax ({{ ... }}), e.g. a Helm template")
	}
	if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		return notPlain(1, "it starts with a byte order mark")
	}
	if err := checkPlain(p.root); err != nil {
		return err
	}
	spec := mapValue(p.root, "spec")
	if spec == nil || spec.Kind != yaml.MappingNode {
		return notPlain(p.root.Line, "it has no spec mapping")
	}
	if mapValue(spec, "matrixRef") == nil || mapValue(spec, "displayName") == nil {
		return notPlain(spec.Line, "its spec lacks matrixRef or displayName, so it is a partial manifest such as a kustomize patch")
	}
	if bytes.ContainsRune(bytes.ReplaceAll(b, []byte("\r\n"), nil), '\r') {
		return notPlain(0, "it uses lone carriage returns as line breaks")
	}
	return nil
}

// applyBatch splices the longest run of leading changes that can share one
// parse of the document, and says how many it applied. Parsing is most of
// the cost, and changes to different rows or levels do not move each
// other's nodes, so they are computed on the same tree and spliced from
// the end of the text backwards. A change that adds a row or a level, or
// touches a row or level the run already changed, waits for a new parse.
func applyBatch(b []byte, changes []v1alpha1.Change) ([]byte, int, error) {
	p, err := parseDocument(b)
	if err != nil || p.root == nil {
		return nil, 0, notPlain(0, "an edit left the document unparsable: %v", err)
	}
	e := newEditor(p)
	touched := map[string]bool{}
	var splices []splice
	var first splice
	n := 0
	for n < len(changes) {
		c := &changes[n]
		key, independent := e.batchKey(c)
		if n > 0 && (!independent || touched[key]) {
			break
		}
		s, err := e.splice(c)
		if err != nil {
			return nil, 0, err
		}
		touched[key] = true
		if n == 0 {
			first = s
		}
		n++
		if s.set {
			splices = append(splices, s)
		}
		if !independent {
			break
		}
	}
	slices.SortFunc(splices, func(x, y splice) int { return y.start - x.start })
	for i := 1; i < len(splices); i++ {
		if splices[i].end >= splices[i-1].start {
			// Overlapping or touching splices (not expected): one change per parse.
			return first.apply(b), 1, nil
		}
	}
	for _, s := range splices {
		b = s.apply(b)
	}
	return b, n, nil
}

// batchKey names the row or level a change edits; independent says its
// splice stays inside what that row or level already holds.
func (e *editor) batchKey(c *v1alpha1.Change) (string, bool) {
	switch c.Op {
	case v1alpha1.OpSetProficiency, v1alpha1.OpSetRequired, v1alpha1.OpRemoveSkill:
		return "skill/" + string(c.Skill), true
	case v1alpha1.OpSetFocus, v1alpha1.OpSetTechStack:
		_, lv := item(mapValue(e.spec, "levels"), keyLevel, string(c.Level))
		return "level/" + string(c.Level), lv != nil
	}
	return "", false
}

// splice is the edit for one change on the current tree.
func (e *editor) splice(c *v1alpha1.Change) (splice, error) {
	switch c.Op {
	case v1alpha1.OpSetProficiency, v1alpha1.OpSetRequired:
		return e.setCell(c)
	case v1alpha1.OpSetFocus:
		return e.setLevel(c, "focus", strValue(*c.Focus), *c.Focus == "")
	case v1alpha1.OpSetTechStack:
		return e.setLevel(c, "techStack", listValue(c.TechStack), len(c.TechStack) == 0)
	case v1alpha1.OpAddSkill:
		return e.appendItem(e.spec, "skills", rowValue(c.Skill, c.Cells, e.layout))
	case v1alpha1.OpRemoveSkill:
		return e.removeSkill(c.Skill)
	}
	return splice{}, fmt.Errorf("unknown op %q", c.Op)
}

// splice replaces b[start:end] with text; the zero splice changes nothing.
type splice struct {
	start, end int
	text       string
	set        bool
}

func (s splice) apply(b []byte) []byte {
	if !s.set {
		return b
	}
	out := make([]byte, 0, len(b)+len(s.text))
	out = append(out, b[:s.start]...)
	out = append(out, s.text...)
	return append(out, b[s.end:]...)
}

func replace(start, end int, text string) splice {
	return splice{start: start, end: end, text: text, set: true}
}

func insert(at int, text string) splice { return replace(at, at, text) }

// describe names a change for an error message.
func describe(c *v1alpha1.Change) string {
	parts := []string{string(c.Op)}
	if c.Skill != "" {
		parts = append(parts, "skill "+string(c.Skill))
	}
	if c.Level != "" {
		parts = append(parts, "level "+string(c.Level))
	}
	return strings.Join(parts, " ")
}
