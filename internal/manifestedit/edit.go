package manifestedit

import (
	"bytes"
	"fmt"
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
		var np *NotPlainError
		if asNotPlain(err, &np) && np.Line > 0 {
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
	for i := range changes {
		if cur, err = applyChange(cur, &changes[i]); err != nil {
			return nil, err
		}
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

// applyChange splices one change into the document. Each change parses the
// document again, so positions always describe the current text.
func applyChange(b []byte, c *v1alpha1.Change) ([]byte, error) {
	p, err := parseDocument(b)
	if err != nil || p.root == nil {
		return nil, notPlain(0, "an edit left the document unparsable: %v", err)
	}
	e := newEditor(p)
	var s splice
	switch c.Op {
	case v1alpha1.OpSetProficiency, v1alpha1.OpSetRequired:
		s, err = e.setCell(c)
	case v1alpha1.OpSetFocus:
		s, err = e.setLevel(c, "focus", strValue(*c.Focus), *c.Focus == "")
	case v1alpha1.OpSetTechStack:
		s, err = e.setLevel(c, "techStack", listValue(c.TechStack), len(c.TechStack) == 0)
	case v1alpha1.OpAddSkill:
		s, err = e.appendItem(e.spec, "skills", rowValue(c.Skill, c.Cells, e.layout))
	case v1alpha1.OpRemoveSkill:
		s, err = e.removeSkill(c.Skill)
	default:
		err = fmt.Errorf("unknown op %q", c.Op)
	}
	if err != nil {
		return nil, err
	}
	return s.apply(b), nil
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

func asNotPlain(err error, target **NotPlainError) bool {
	np, ok := err.(*NotPlainError)
	if ok {
		*target = np
	}
	return ok
}

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
