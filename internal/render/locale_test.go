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

package render_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// A message id the catalogs lack comes out as the id itself; no rendered
// file of either shipped locale may contain one.
func TestLocalesRenderNoMissingMessage(t *testing.T) {
	data, err := os.ReadFile("locales/en.json")
	if err != nil {
		t.Fatal(err)
	}
	var en map[string]any
	if err := json.Unmarshal(data, &en); err != nil {
		t.Fatal(err)
	}
	files, err := render.Role(sampleModel(t), render.Options{Formats: allFormats, Locales: []v1.Locale{"en", "zh-CN", "de"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 12 {
		t.Fatalf("files = %d, want 4 formats x 3 locales", len(files))
	}
	for key, body := range files {
		for id := range en {
			// Ids without a dot are words a page may hold anyway ("page").
			if !strings.Contains(id, ".") {
				continue
			}
			if strings.Contains(string(body), id+"<") || strings.Contains(string(body), "\""+id+"\"") ||
				regexp.MustCompile(`(^|[\s>])`+regexp.QuoteMeta(id)+`($|[\s<])`).Match(body) {
				t.Errorf("%s shows message id %q", key, id)
			}
		}
	}
}

func TestZhCNReadsLikeTheSeed(t *testing.T) {
	files, err := render.Role(sampleModel(t), render.Options{Formats: allFormats, Locales: []v1.Locale{"zh-CN"}})
	if err != nil {
		t.Fatal(err)
	}
	// The only locale is the default: plain keys.
	md, html := string(files[render.KeyMarkdown]), string(files[render.KeyHTML])
	for _, want := range []string{
		"**56 技能 · 5 级别 · 13 类别 · 123 必备 · 280 要求**",
		"MLOps Engineer是ML & AI Engineering族群中的角色。涵盖5个级别的56项技能(从Junior到Principal)。280项要求中有123项为必备。",
		"**关键领域:** Programming Fundamentals, Backend Development, Database Management",
		"## 技术栈", "## 各级别重点", "## 技能矩阵", "56 技能 × 5 级别",
		"### Backend Development · 5 技能 · ", "## 常见问题",
		"### MLOps Engineer角色需要哪些技能?", "### 如何在MLOps Engineer角色中晋升到下一级别?",
		"### MLOps Engineer角色使用什么技术栈?", "### 社区如何定义MLOps Engineer角色的要求?",
		"123项为必备", "Junior:Python, MLflow, DVC",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("matrix.md lacks %q", want)
		}
	}
	// The seed calls the 123 required requirements "skills"; we do not.
	if strings.Contains(md, "123项为必备技能") {
		t.Error("matrix.md calls the required requirements skills")
	}
	for _, want := range []string{`<html lang="zh-CN">`, "<h2 id=\"faq\">常见问题</h2>", "<span>技能</span>", "Noto Sans CJK SC"} {
		if !strings.Contains(html, want) {
			t.Errorf("matrix.html lacks %q", want)
		}
	}
	var doc struct {
		Locale string            `json:"locale"`
		FAQ    []render.FAQEntry `json:"faq"`
	}
	if err := json.Unmarshal(files[render.KeyJSON], &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Locale != "zh-CN" || len(doc.FAQ) != 4 || doc.FAQ[0].ID != render.FAQSkills || !strings.Contains(doc.FAQ[0].Answer, "123项为必备") {
		t.Errorf("matrix.json locale %q, faq %+v", doc.Locale, doc.FAQ)
	}
}

func TestLocaleKey(t *testing.T) {
	for key, want := range map[string]string{
		"matrix.md": "matrix.zh-CN.md", "matrix.json": "matrix.zh-CN.json", "matrix": "matrix.zh-CN",
	} {
		if got := render.LocaleKey(key, "zh-CN"); got != want {
			t.Errorf("LocaleKey(%q) = %q, want %q", key, got, want)
		}
	}
}
