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

package assess

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// ErrNoRatings means a ratings file rates nothing: it is empty, holds only
// comments (or, for CSV, only a header). Assessing it would answer "below
// the first level" for what is almost certainly the wrong file. An explicit
// empty map ({}) is a deliberate "nothing yet" and is not refused.
var ErrNoRatings = errors.New("the ratings file rates no skill")

// FileError is a problem with the shape of a ratings file, at a line of it
// (0 when the problem is the whole file).
type FileError struct {
	File    string
	Line    int
	Problem string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Problem)
	}
	return e.File + ": " + e.Problem
}

// nullTag is the YAML tag of an empty value (helm:), ~ or null.
const nullTag = "!!null"

// ratingsShape is how a problem message shows what a ratings file must look like.
const ratingsShape = "a ratings file is a map of skill id to proficiency, one per line, such as docker: W"

// MaxSkillIDLength is the longest skill id, in characters: a skill id is a
// DNS-1123 label (api/v1alpha1.ID), so a longer key can name no skill. The
// page's calculator applies the same bound.
const MaxSkillIDLength = 63

// tooLong describes a key too long to be a skill id, or "" when it is not.
func tooLong(skill string) string {
	n := utf8.RuneCountInString(skill)
	if n <= MaxSkillIDLength {
		return ""
	}
	return fmt.Sprintf("skill id %q... is %s long; a skill id has at most %d", string([]rune(skill)[:20]), text.Plural(n, "character", "characters"), MaxSkillIDLength)
}

// ParseRatings reads a ratings file. name picks the format: a name ending
// in .csv is CSV, anything else YAML (or JSON, which is YAML).
//
// YAML is a map from skill id to proficiency:
//
//	docker: V
//	kubernetes-core: W
//	graphql-design:        # empty: none
//
// Values are read as text, so a numeric scale (docker: 3) works. CSV has two
// columns, skill and proficiency, with an optional header row whose first
// field is "skill" or "skill_id"; empty lines and lines starting with # are
// skipped. A skill listed twice or a key longer than MaxSkillIDLength is an error in both formats, and so are a
// file that rates nothing (ErrNoRatings) and one that is not UTF-8. Problems with the file's shape are
// *FileError values naming the line.
func ParseRatings(name string, data []byte) (Ratings, error) {
	if !utf8.Valid(data) {
		return nil, &FileError{File: name, Problem: "not UTF-8 text: " + ratingsShape}
	}
	if strings.EqualFold(filepath.Ext(name), ".csv") {
		return parseCSV(name, data)
	}
	return parseYAML(name, data)
}

func parseYAML(name string, data []byte) (Ratings, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: %w: it is empty or holds only comments", name, ErrNoRatings)
		}
		return nil, &FileError{File: name, Problem: fmt.Sprintf("not valid YAML (%v); %s (for none leave the value empty or write \"-\" in quotes)", err, ratingsShape)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &FileError{File: name, Line: extra.Line, Problem: "holds more than one YAML document; " + ratingsShape}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	switch {
	case root.Kind == yaml.ScalarNode && root.Tag == nullTag:
		return nil, fmt.Errorf("%s: %w: it is empty or holds only comments", name, ErrNoRatings)
	case root.Kind != yaml.MappingNode:
		return nil, &FileError{File: name, Line: root.Line, Problem: ratingsShape + ", not " + nodeKind(root)}
	}
	out := make(Ratings, len(root.Content)/2)
	firstLine := map[string]int{}
	var errs []error
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		if key.Kind != yaml.ScalarNode || key.Tag == nullTag {
			errs = append(errs, &FileError{File: name, Line: key.Line, Problem: "a skill id must be plain text, not " + nodeKind(key)})
			continue
		}
		skill := key.Value
		if problem := tooLong(skill); problem != "" {
			errs = append(errs, &FileError{File: name, Line: key.Line, Problem: problem})
			continue
		}
		if line, dup := firstLine[skill]; dup {
			errs = append(errs, &FileError{File: name, Line: key.Line, Problem: fmt.Sprintf("skill %q is rated twice (first on line %d)", skill, line)})
			continue
		}
		firstLine[skill] = key.Line
		if value.Kind == yaml.AliasNode && value.Alias != nil {
			value = value.Alias
		}
		switch {
		case value.Kind != yaml.ScalarNode:
			errs = append(errs, &FileError{File: name, Line: value.Line, Problem: fmt.Sprintf("skill %q: want one proficiency such as W, not %s", skill, nodeKind(value))})
		case value.Tag == nullTag:
			out[skill] = ""
		default:
			out[skill] = value.Value
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// nodeKind names a YAML node's kind as a user would.
func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a map"
	case yaml.ScalarNode:
		return fmt.Sprintf("the single value %q", n.Value)
	default:
		return "an alias or a document"
	}
}

func parseCSV(name string, data []byte) (Ratings, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	out := Ratings{}
	for first := true; ; first = false {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &FileError{File: name, Problem: fmt.Sprintf("not valid CSV: %v", err)}
		}
		line, _ := r.FieldPos(0)
		skill := strings.Trim(rec[0], asciiSpace)
		if first {
			if h := asciiLower(skill); h == "skill" || h == "skill_id" || h == "skill id" {
				continue
			}
		}
		if len(rec) > 2 && strings.Trim(strings.Join(rec[2:], ""), asciiSpace) != "" {
			return nil, &FileError{File: name, Line: line, Problem: fmt.Sprintf("want two columns, skill and proficiency, got %d", len(rec))}
		}
		if skill == "" {
			return nil, &FileError{File: name, Line: line, Problem: "the skill column is empty"}
		}
		if problem := tooLong(skill); problem != "" {
			return nil, &FileError{File: name, Line: line, Problem: problem}
		}
		if _, dup := out[skill]; dup {
			return nil, &FileError{File: name, Line: line, Problem: fmt.Sprintf("skill %q is rated twice", skill)}
		}
		value := ""
		if len(rec) > 1 {
			value = strings.Trim(rec[1], asciiSpace)
		}
		out[skill] = value
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %w: it holds no rows (only a header, comments or nothing)", name, ErrNoRatings)
	}
	return out, nil
}
