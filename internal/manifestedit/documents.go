package manifestedit

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	yaml "go.yaml.in/yaml/v3"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// Target names the object whose manifest is edited. A document without a
// namespace matches any Namespace: it lands in the namespace it is applied
// to, which is the one the object is in.
type Target struct {
	APIVersion, Kind, Namespace, Name string
}

// RoleTarget is the Target of a Role of this API.
func RoleTarget(namespace, name string) Target {
	return Target{APIVersion: v1alpha1.GroupVersion.String(), Kind: "Role", Namespace: namespace, Name: name}
}

func (t Target) String() string {
	return fmt.Sprintf("%s %s/%s (%s)", t.Kind, t.Namespace, t.Name, t.APIVersion)
}

// document is one YAML document of a file: the bytes from its `---` line (or
// the file's start) to the next `---` line. YAML itself forbids a `---` at
// the start of a line inside a document, so splitting on those lines agrees
// with the parser, and editing one document cannot touch another.
type document struct {
	index      int
	start, end int // byte range in the file
	firstLine  int // 1-based line of start in the file
}

func splitDocuments(src []byte) []document {
	var docs []document
	start, line, first := 0, 1, 1
	for off := 0; off < len(src); line++ {
		next := bytes.IndexByte(src[off:], '\n')
		lineEnd := len(src)
		if next >= 0 {
			lineEnd = off + next + 1
		}
		if off > start && isDocumentStart(src[off:lineEnd]) {
			docs = append(docs, document{index: len(docs), start: start, end: off, firstLine: first})
			start, first = off, line
		}
		off = lineEnd
	}
	return append(docs, document{index: len(docs), start: start, end: len(src), firstLine: first})
}

func isDocumentStart(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("---")) {
		return false
	}
	rest := line[3:]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r'
}

// Keys and tags the editor looks for.
const (
	keyLevel = "level"
	tagNull  = "!!null"
)

// parsed is a document's syntax tree; root is nil for a document with no
// content (only comments).
type parsed struct {
	text *text
	root *yaml.Node // the top-level mapping
}

func parseDocument(b []byte) (*parsed, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &parsed{text: newText(b)}, nil
		}
		return nil, err
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return nil, errors.New("a document end marker (...) followed by another document")
	}
	p := &parsed{text: newText(b)}
	if len(doc.Content) == 1 && doc.Content[0].Kind == yaml.MappingNode {
		p.root = doc.Content[0]
	}
	return p, nil
}

// matches says whether the document is the target's manifest.
func (p *parsed) matches(t Target) bool {
	if p.root == nil {
		return false
	}
	meta := mapValue(p.root, "metadata")
	if scalar(mapValue(p.root, "apiVersion")) != t.APIVersion || scalar(mapValue(p.root, "kind")) != t.Kind ||
		meta == nil || scalar(mapValue(meta, "name")) != t.Name {
		return false
	}
	ns := scalar(mapValue(meta, "namespace"))
	return ns == "" || ns == t.Namespace
}

// mapValue is the value of key in a mapping node, or nil; a repeated key is
// refused before any lookup (see checkPlain).
func mapValue(m *yaml.Node, key string) *yaml.Node {
	_, v := mapEntry(m, key)
	return v
}

func mapEntry(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// checkPlain refuses what a splice cannot edit without changing meaning
// elsewhere or guessing: anchors and aliases (an edit would change every
// alias, or miss them), merge keys, explicit tags, and repeated keys (which
// one the cluster sees depends on the decoder).
func checkPlain(n *yaml.Node) error {
	if n.Anchor != "" || n.Kind == yaml.AliasNode {
		return notPlain(n.Line, "it uses YAML anchors or aliases")
	}
	if n.Style&yaml.TaggedStyle != 0 {
		return notPlain(n.Line, "it uses an explicit YAML tag (%s)", n.Tag)
	}
	if n.Kind == yaml.MappingNode {
		seen := make(map[string]bool, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return notPlain(k.Line, "it uses a complex mapping key")
			}
			if k.Value == "<<" && k.Style == 0 {
				return notPlain(k.Line, "it uses a YAML merge key")
			}
			if seen[k.Value] {
				return notPlain(k.Line, "the key %q appears twice in one mapping", k.Value)
			}
			seen[k.Value] = true
		}
	}
	for _, c := range n.Content {
		if err := checkPlain(c); err != nil {
			return err
		}
	}
	return nil
}
