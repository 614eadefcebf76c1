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
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// ParseRatings reads a ratings file. name picks the format: a name ending
// in .csv is CSV, anything else YAML (or JSON, which is YAML).
//
// YAML is a map from skill id to proficiency:
//
//	docker: V
//	kubernetes-core: W
//	graphql-design:        # empty: none
//
// CSV has two columns, skill and proficiency, with an optional header row
// whose first field is "skill" or "skill_id"; empty lines and lines starting
// with # are skipped. A skill listed twice is an error in both formats.
func ParseRatings(name string, data []byte) (Ratings, error) {
	if strings.EqualFold(filepath.Ext(name), ".csv") {
		return parseCSV(name, data)
	}
	return parseYAML(name, data)
}

func parseYAML(name string, data []byte) (Ratings, error) {
	var raw map[string]any
	// Strict: a skill listed twice is refused instead of silently keeping one.
	if err := yaml.UnmarshalStrict(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: not a YAML map of skill id to proficiency: %w", name, err)
	}
	out := make(Ratings, len(raw))
	var problems []string
	for skill, v := range raw {
		switch v := v.(type) {
		case nil:
			out[skill] = ""
		case string:
			out[skill] = v
		default:
			problems = append(problems, fmt.Sprintf("%s: skill %q: the proficiency must be a proficiency id such as W, not %v (%T)", name, skill, v, v))
		}
	}
	if len(problems) > 0 {
		// Map order: sort for a stable message.
		slices.Sort(problems)
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return out, nil
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
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := r.FieldPos(0)
		skill := strings.TrimSpace(rec[0])
		if first {
			if h := strings.ToLower(skill); h == "skill" || h == "skill_id" || h == "skill id" {
				continue
			}
		}
		if len(rec) > 2 && strings.TrimSpace(strings.Join(rec[2:], "")) != "" {
			return nil, fmt.Errorf("%s:%d: want two columns, skill and proficiency, got %d", name, line, len(rec))
		}
		if skill == "" {
			return nil, fmt.Errorf("%s:%d: the skill column is empty", name, line)
		}
		if _, dup := out[skill]; dup {
			return nil, fmt.Errorf("%s:%d: skill %q is rated twice", name, line, skill)
		}
		value := ""
		if len(rec) > 1 {
			value = strings.TrimSpace(rec[1])
		}
		out[skill] = value
	}
	return out, nil
}
