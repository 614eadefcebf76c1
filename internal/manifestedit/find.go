package manifestedit

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"strings"

	sigsyaml "sigs.k8s.io/yaml"
)

// File is one file of the scanned tree, its path slash-separated.
type File struct {
	Path    string
	Content []byte
}

// IsManifestPath says whether Find reads a file: YAML by its extension, and
// kustomization files.
func IsManifestPath(p string) bool {
	ext := strings.ToLower(path.Ext(p))
	return ext == ".yaml" || ext == ".yml" || isKustomization(p)
}

// Find returns the path of the one file whose document is the target. The
// target must be a plain document in exactly one file: found in two
// documents is *AmbiguousError; a match that is a kustomize patch (listed
// under patches in a kustomization, or lacking the required fields), a
// template (Helm), or a Role that only a template under the path could
// render is *NotPlainError; nothing is *NotFoundError.
func Find(files []File, t Target) (string, error) {
	patches := kustomizePatches(files, t)
	var plain, places []string
	var refused *NotPlainError
	scanned := 0
	for _, f := range files {
		if !IsManifestPath(f.Path) || isKustomization(f.Path) {
			continue
		}
		scanned++
		for _, d := range splitDocuments(f.Content) {
			b := f.Content[d.start:d.end]
			p, err := parseDocument(b)
			switch {
			case err != nil || bytes.Contains(b, []byte("{{")):
				if refused == nil && mayRenderTarget(b, t) {
					refused = &NotPlainError{Path: f.Path, Line: d.firstLine, Reason: "the Role is rendered from a template (e.g. Helm), not a plain manifest"}
				}
			case !p.matches(t):
			case patches[f.Path] != "":
				refused = &NotPlainError{Path: f.Path, Line: d.firstLine, Reason: "it is a kustomize patch listed in " + patches[f.Path]}
			default:
				plain = append(plain, f.Path)
				places = append(places, fmt.Sprintf("%s#%d (line %d)", f.Path, d.index, d.firstLine))
			}
		}
	}
	switch {
	case len(plain) > 1:
		return "", &AmbiguousError{Target: t, Places: places}
	case refused != nil:
		return "", refused
	case patchOnly(patches) != "":
		return "", &NotPlainError{Path: patchOnly(patches), Reason: "the Role is changed by an inline kustomize patch"}
	case len(plain) == 0:
		return "", &NotFoundError{Target: t, Scanned: scanned}
	}
	return plain[0], nil
}

var kindRole = regexp.MustCompile(`(?m)^\s*kind:\s*["']?Role["']?\s*(#.*)?$`)

// mayRenderTarget: a template that renders a Role of this API group named
// as the target, or whose name is itself templated.
func mayRenderTarget(b []byte, t Target) bool {
	group, _, _ := strings.Cut(t.APIVersion, "/")
	if !kindRole.Match(b) || !bytes.Contains(b, []byte(group)) {
		return false
	}
	name := regexp.MustCompile(`(?m)^\s*name:\s*(.*)$`).FindSubmatch(b)
	return name == nil || bytes.Contains(name[1], []byte("{{")) || strings.Trim(string(name[1]), `"' `) == t.Name
}

func isKustomization(p string) bool {
	switch path.Base(p) {
	case "kustomization.yaml", "kustomization.yml", "Kustomization":
		return true
	}
	return false
}

// kustomization is the part of a kustomization file that names patches.
type kustomization struct {
	PatchesStrategicMerge []string `json:"patchesStrategicMerge"`
	Patches               []struct {
		Path   string `json:"path"`
		Patch  string `json:"patch"`
		Target *struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"target"`
	} `json:"patches"`
	PatchesJSON6902 []struct {
		Path   string `json:"path"`
		Target struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"target"`
	} `json:"patchesJson6902"`
}

// kustomizePatches maps each patch file (and, for an inline patch or a
// JSON 6902 patch of the target, the kustomization itself) to the
// kustomization that lists it.
func kustomizePatches(files []File, t Target) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		if !isKustomization(f.Path) {
			continue
		}
		var k kustomization
		if err := sigsyaml.Unmarshal(f.Content, &k); err != nil {
			continue
		}
		dir := path.Dir(f.Path)
		for _, p := range k.PatchesStrategicMerge {
			out[path.Join(dir, p)] = f.Path
		}
		for _, p := range k.Patches {
			targets := p.Target == nil || (p.Target.Kind == t.Kind && (p.Target.Name == "" || p.Target.Name == t.Name))
			switch {
			case p.Path != "":
				out[path.Join(dir, p.Path)] = f.Path
			case p.Patch != "" && targets && (p.Target != nil || strings.Contains(p.Patch, t.Name)):
				out[f.Path] = f.Path
			}
		}
		for _, p := range k.PatchesJSON6902 {
			if p.Target.Kind == t.Kind && p.Target.Name == t.Name {
				out[f.Path] = f.Path
			}
		}
	}
	return out
}

// patchOnly is a kustomization that patches the target inline, if any.
func patchOnly(patches map[string]string) string {
	for p, k := range patches {
		if p == k {
			return p
		}
	}
	return ""
}
