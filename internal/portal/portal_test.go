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

package portal

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	dto "github.com/prometheus/client_model/go"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

const testNS = "career"

// hostile is text a user could put in any field: markup, a script, an
// attribute break-out and a javascript: URL.
const hostile = `<script>alert("x")</script><img src=x onerror=alert(1)>"'><a href="javascript:alert(1)">j</a>`

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func loadSample[T any](t testing.TB, file string, obj *T) *T {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "config", "samples", file))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

// fixture is the samples plus a hostile Role and Proposals in every state
// the pages show.
type fixture struct {
	matrix        *v1.SkillMatrix
	role, hostile *v1.Role
	open, applied *v1.Proposal
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{}
	created := metav1.NewTime(testNow.Add(-48 * time.Hour))
	f.matrix = loadSample(t, "career_v1alpha1_skillmatrix.yaml", &v1.SkillMatrix{})
	f.matrix.Namespace, f.matrix.UID, f.matrix.Generation = testNS, "uid-matrix", 1
	f.role = loadSample(t, "career_v1alpha1_role.yaml", &v1.Role{})
	f.role.Namespace, f.role.UID, f.role.Generation, f.role.CreationTimestamp = testNS, "uid-role", 3, created
	f.role.Status.History = []v1.AppliedProposal{{Name: "older", UID: "uid-older", Title: "An older change " + hostile,
		Author: "bob", AppliedAt: metav1.NewTime(testNow.Add(-24 * time.Hour)), Generation: 2}}
	f.role.Status.ContentHash = hashOf(t, f.role, f.matrix)
	f.role.Status.Conditions = []metav1.Condition{{Type: v1.ConditionReady, Status: metav1.ConditionTrue,
		Reason: "Ready", LastTransitionTime: created}}

	f.hostile = &v1.Role{ObjectMeta: metav1.ObjectMeta{Name: "hostile", Namespace: testNS, UID: "uid-hostile",
		Generation: 1, CreationTimestamp: created},
		Spec: v1.RoleSpec{MatrixRef: v1.ObjectName(f.matrix.Name), DisplayName: hostile, Family: hostile, Summary: hostile,
			CareerPaths: []v1.CareerPath{{Role: "mlops-engineer", Description: hostile}, {Role: "nowhere"}}},
		Status: v1.RoleStatus{ContentHash: "sha256:stale"}}

	f.open = loadSample(t, "career_v1alpha1_proposal.yaml", &v1.Proposal{})
	f.open.Namespace, f.open.UID, f.open.CreationTimestamp = testNS, "uid-open", metav1.NewTime(testNow.Add(-time.Hour))
	f.open.Spec.Description = hostile
	f.open.Spec.Votes = []v1.Vote{{Voter: "bob", Decision: v1.VoteApprove, Comment: hostile},
		{Voter: "dave", Decision: v1.VoteReject, Comment: "not yet"}}
	f.open.Status.Phase = v1.PhaseOpen

	appliedAt := metav1.NewTime(testNow.Add(-24 * time.Hour))
	f.applied = &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Name: "older", Namespace: testNS, UID: "uid-older",
		CreationTimestamp: metav1.NewTime(testNow.Add(-72 * time.Hour))},
		Spec: v1.ProposalSpec{RoleRef: "mlops-engineer", Title: "An older change " + hostile, Author: "bob",
			Changes: []v1.Change{{Op: v1.OpRemoveSkill, Skill: "docker"}}},
		Status: v1.ProposalStatus{Phase: v1.PhaseApplied, AppliedAt: &appliedAt, Conditions: []metav1.Condition{{
			Type: v1.ConditionAccepted, Status: metav1.ConditionTrue, Reason: "Accepted",
			LastTransitionTime: metav1.NewTime(testNow.Add(-25 * time.Hour))}}}}
	return f
}

func hashOf(t *testing.T, role *v1.Role, matrix *v1.SkillMatrix) string {
	t.Helper()
	files, err := render.Role(model.BuildRole(matrix, role), render.PublishedOptions(matrix.Spec.Publishing))
	if err != nil {
		t.Fatal(err)
	}
	return publish.Hash(files)
}

func (f *fixture) server(t *testing.T) *Server {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := v1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	c := fake.NewClientBuilder().WithScheme(scheme).
		WithObjects(f.matrix, f.role, f.hostile, f.open, f.applied).
		WithIndex(&v1.Role{}, kubecache.IndexRoleMatrix, kubecache.RoleMatrixRef).
		WithIndex(&v1.Proposal{}, kubecache.IndexProposalRole, kubecache.ProposalRoleRef).
		WithIndex(&v1.Ballot{}, kubecache.IndexBallotProposal, kubecache.BallotProposalRef).
		Build()
	s, err := New(c, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type response struct {
	code   int
	header http.Header
	body   string
}

func get(t *testing.T, h http.Handler, path string, header ...string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body := rec.Body.Bytes()
	if rec.Header().Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	return response{code: rec.Code, header: rec.Header(), body: string(body)}
}

func TestPagesEscapeAndLink(t *testing.T) {
	s := newFixture(t).server(t)
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/", []string{`<html lang="en">`, `href="/ns/career/roles/mlops-engineer/"`, `href="/ns/career/"`, "MLOps Engineer"}},
		{"/ns/career/", []string{`href="/ns/career/roles/mlops-engineer/"`, "MLOps Engineer", "<svg", "path-edge",
			`href="/ns/career/feed.atom"`, "nowhere (missing)", `href="/ns/career/follow"`}},
		{"/ns/career/roles/mlops-engineer/", []string{`href="/ns/career/proposals/mlops-engineer-kubernetes-senior"`,
			`href="/ns/career/roles/mlops-engineer/matrix.html"`, "Changelog", "An older change",
			`href="/ns/career/roles/mlops-engineer/matrix.pdf"`, `href="/ns/career/roles/mlops-engineer/propose#form"`,
			`href="/ns/career/roles/mlops-engineer/follow"`, `href="/ns/career/roles/mlops-engineer/matrix.zh-CN.html"`}},
		{"/ns/career/roles/hostile/", []string{"which the operator has not published yet",
			"nowhere <span class=\"warn\">(no such role here)</span>", `<a href="/ns/career/roles/mlops-engineer/">MLOps Engineer</a>`}},
		{"/ns/career/proposals/mlops-engineer-kubernetes-senior", []string{
			"kubectl skillmatrix -n career vote mlops-engineer-kubernetes-senior approve",
			"kubectl skillmatrix -n career review mlops-engineer-kubernetes-senior request-changes",
			`Approving votes</th><td data-label="Now">1</td><td data-label="The rules ask">at least 2`,
			`<strong class="target">Kubernetes Core at Senior</strong>: <span class="from">Awareness</span> → <span class="to">Advanced</span>`,
			`<strong class="target">Kubernetes Core at Junior</strong>: <span class="from">optional</span> → <span class="to">required</span>`,
			"Still needed", "<strong>dave</strong> rejects"}},
		{"/ns/career/proposals/older", []string{"Applied"}},
		{"/ns/career/roles/mlops-engineer/follow", []string{`href="/ns/career/roles/mlops-engineer/feed.atom"`, "Atom feed",
			`value="http://example.com/ns/career/roles/mlops-engineer/feed.atom"`}},
		{"/ns/career/roles/mlops-engineer/propose", []string{`href="/ns/career/roles/mlops-engineer/propose?level=senior&amp;skill=kubernetes-core#form"`,
			"Sign in to propose a change.", "Change the focus at Senior"}},
		{"/ns/career/roles/mlops-engineer/propose?skill=kubernetes-core&level=senior", []string{"Kubernetes Core at Senior",
			"Now: Awareness (A), required."}},
		{"/ns/career/matrices/engineering/", []string{"Career paths"}},
	} {
		r := get(t, s, tc.path)
		if r.code != http.StatusOK {
			t.Fatalf("%s: %d\n%s", tc.path, r.code, r.body)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.body, w) {
				t.Errorf("%s lacks %q", tc.path, w)
			}
		}
		for _, raw := range []string{"<script>", "<img src=x", `href="javascript:`} {
			if strings.Contains(r.body, raw) {
				t.Errorf("%s carries unescaped %q", tc.path, raw)
			}
		}
		checkSecurityHeaders(t, tc.path, r.header, pageCSP)
	}
}

func checkSecurityHeaders(t *testing.T, path string, h http.Header, csp string) {
	t.Helper()
	for name, want := range map[string]string{
		"Content-Security-Policy": csp, "X-Content-Type-Options": "nosniff",
		"Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %s = %q, want %q", path, name, got, want)
		}
	}
	if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("%s: the policy does not forbid framing", path)
	}
}

var metaCSP = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`)

func TestMatrixHTMLIsThePublishedPage(t *testing.T) {
	f := newFixture(t)
	s := f.server(t)
	files, err := render.Role(model.BuildRole(f.matrix, f.role), render.PublishedOptions(f.matrix.Spec.Publishing))
	if err != nil {
		t.Fatal(err)
	}
	r := get(t, s, "/ns/career/roles/mlops-engineer/matrix.html", "Accept-Encoding", "gzip")
	if r.code != http.StatusOK || r.header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("matrix.html: %d, encoding %q", r.code, r.header.Get("Content-Encoding"))
	}
	if r.body != string(files[render.KeyHTML]) {
		t.Fatal("matrix.html differs from what render.Role publishes")
	}
	plain := get(t, s, "/ns/career/roles/mlops-engineer/matrix.html")
	if plain.body != r.body || plain.header.Get("Content-Encoding") != "" {
		t.Fatal("the uncompressed matrix.html differs")
	}
	m := metaCSP.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("matrix.html carries no policy")
	}
	policy := html.UnescapeString(m[1])
	checkSecurityHeaders(t, "matrix.html", r.header, policy+"; frame-ancestors 'none'")
	if strings.Contains(get(t, s, "/ns/career/roles/mlops-engineer/").body, "not Ready") {
		t.Error("the Role page says a Ready Role is not")
	}
	if strings.Contains(get(t, s, "/ns/career/roles/mlops-engineer/").body, `class="notice"`) {
		t.Error("a notice shows although the published hash matches")
	}
}

func TestConditionalRequestsAndErrors(t *testing.T) {
	s := newFixture(t).server(t)
	for _, path := range []string{"/ns/career/", "/ns/career/roles/mlops-engineer/matrix.html", "/ns/career/feed.atom",
		"/ns/career/proposals/older", "/ns/career/matrices/engineering/paths.svg"} {
		for _, enc := range []string{"", "gzip"} {
			first := get(t, s, path, "Accept-Encoding", enc)
			etag, modified := first.header.Get("ETag"), first.header.Get("Last-Modified")
			if first.code != http.StatusOK || etag == "" || modified == "" {
				t.Fatalf("%s: %d, ETag %q, Last-Modified %q", path, first.code, etag, modified)
			}
			if r := get(t, s, path, "Accept-Encoding", enc, "If-None-Match", etag); r.code != http.StatusNotModified || r.body != "" {
				t.Errorf("%s (%s) with If-None-Match: %d", path, enc, r.code)
			}
			if r := get(t, s, path, "Accept-Encoding", enc, "If-Modified-Since", modified); r.code != http.StatusNotModified {
				t.Errorf("%s with If-Modified-Since: %d", path, r.code)
			}
			if r := get(t, s, path, "Accept-Encoding", enc, "If-None-Match", `"other"`, "If-Modified-Since", modified); r.code != http.StatusOK {
				t.Errorf("%s: a changed ETag must win over If-Modified-Since: %d", path, r.code)
			}
		}
	}
	before := counted(t, "role", "404")
	for _, tc := range []struct {
		method, path string
		code         int
	}{
		{http.MethodGet, "/ns/career/roles/nobody/", http.StatusNotFound},
		{http.MethodGet, "/ns/career/proposals/nothing", http.StatusNotFound},
		{http.MethodGet, "/no/such/page", http.StatusNotFound},
		{http.MethodGet, "/ns/elsewhere/", http.StatusNotFound},
		{http.MethodGet, "/ns/Not_A_Namespace/", http.StatusBadRequest},
		{http.MethodGet, "/ns/career/roles/UPPER/matrix.html", http.StatusBadRequest},
		{http.MethodGet, "/ns/career/proposals/" + strings.Repeat("a", 300), http.StatusBadRequest},
		{http.MethodPost, "/ns/career/", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/ns/career/roles/mlops-engineer/", http.StatusMethodNotAllowed},
	} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != tc.code {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, rec.Code, tc.code)
		}
		if !strings.Contains(rec.Body.String(), `<html lang="en">`) || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: not the portal's error page", tc.method, tc.path)
		}
	}
	if got := counted(t, "role", "404") - before; got != 1 {
		t.Errorf("skillmatrix_portal_requests_total{route=role,code=404} grew by %v, want 1", got)
	}
	for path, to := range map[string]string{"/ns/career": "/ns/career/", "/ns/career/roles/mlops-engineer": "/ns/career/roles/mlops-engineer/"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != to {
			t.Errorf("%s: %d to %q, want a redirect to %s", path, rec.Code, rec.Header().Get("Location"), to)
		}
	}
}

func TestFeedsParse(t *testing.T) {
	s := newFixture(t).server(t)
	for _, tc := range []struct {
		path string
		ids  []string
		not  []string
	}{
		{"/ns/career/feed.atom", []string{"proposal:uid-open:created", "proposal:uid-older:decided",
			"proposal:uid-older:applied", "role:uid-role:published:", "role:uid-hostile:published:stale",
			"proposal:uid-open:vote:Approve:bob", "proposal:uid-open:vote:Reject:dave"}, nil},
		{"/ns/career/matrices/engineering/feed.atom", []string{"proposal:uid-open:created", "role:uid-hostile:published:"}, nil},
		{"/ns/career/roles/mlops-engineer/feed.atom", []string{"proposal:uid-open:created", "proposal:uid-older:applied"},
			[]string{"uid-hostile"}},
	} {
		r := get(t, s, tc.path, "Accept-Encoding", "gzip")
		if r.code != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/atom+xml") {
			t.Fatalf("%s: %d %q", tc.path, r.code, r.header.Get("Content-Type"))
		}
		feed, err := gofeed.NewParser().ParseString(r.body)
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.path, err, r.body)
		}
		if feed.FeedType != "atom" || feed.UpdatedParsed == nil || len(feed.Items) == 0 {
			t.Fatalf("%s: type %q, updated %v, %d entries", tc.path, feed.FeedType, feed.UpdatedParsed, len(feed.Items))
		}
		ids := make([]string, 0, len(feed.Items))
		for _, it := range feed.Items {
			if !strings.HasPrefix(it.GUID, tagPrefix) || it.UpdatedParsed == nil || it.Link == "" || it.Title == "" {
				t.Errorf("%s: entry %+v lacks an id, a time, a link or a title", tc.path, it)
			}
			ids = append(ids, it.GUID)
		}
		joined := strings.Join(ids, "\n")
		for _, id := range tc.ids {
			if !strings.Contains(joined, tagPrefix+id) {
				t.Errorf("%s lacks entry %s; has\n%s", tc.path, id, joined)
			}
		}
		for _, id := range tc.not {
			if strings.Contains(joined, id) {
				t.Errorf("%s has an entry of %s", tc.path, id)
			}
		}
		if again := get(t, s, tc.path); again.body != r.body {
			t.Errorf("%s is not stable between two loads", tc.path)
		}
	}
}

func TestCareerPathsSVGIsXML(t *testing.T) {
	s := newFixture(t).server(t)
	r := get(t, s, "/ns/career/matrices/engineering/paths.svg")
	if r.code != http.StatusOK || r.header.Get("Content-Type") != "image/svg+xml; charset=utf-8" {
		t.Fatalf("%d %q", r.code, r.header.Get("Content-Type"))
	}
	dec := xml.NewDecoder(strings.NewReader(r.body))
	var texts []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, r.body)
		}
		if cd, ok := tok.(xml.CharData); ok {
			texts = append(texts, string(cd))
		}
	}
	if !strings.Contains(strings.Join(texts, ""), hostile) {
		t.Error("the hostile display name does not come back as text")
	}
	if strings.Count(r.body, `class="path-edge"`) != 4 {
		t.Errorf("want 4 career-path arrows (2 of the sample, 2 of the hostile Role), got %d", strings.Count(r.body, `class="path-edge"`))
	}
}

func TestRenderCacheKeys(t *testing.T) {
	f := newFixture(t)
	c := newRenderCache()
	first, err := c.get(f.role, f.matrix)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := c.get(f.role, f.matrix); again != first {
		t.Error("an unchanged Role was rendered again")
	}
	for name, change := range map[string]func(r *v1.Role, m *v1.SkillMatrix){
		"role generation":   func(r *v1.Role, _ *v1.SkillMatrix) { r.Generation++ },
		"matrix generation": func(_ *v1.Role, m *v1.SkillMatrix) { m.Generation++ },
		"history": func(r *v1.Role, _ *v1.SkillMatrix) {
			r.Status.History = append(r.Status.History, v1.AppliedProposal{Name: "new", UID: "u"})
		},
	} {
		role, matrix := f.role.DeepCopy(), f.matrix.DeepCopy()
		change(role, matrix)
		got, err := c.get(role, matrix)
		if err != nil {
			t.Fatal(err)
		}
		if got == first {
			t.Errorf("a changed %s did not render again", name)
		}
		c.drop(types.NamespacedName{Namespace: testNS, Name: role.Name})
		_, _ = c.get(f.role, f.matrix)
		first, _ = c.get(f.role, f.matrix)
	}
}

// counted is skillmatrix_portal_requests_total of route and code now.
func counted(t *testing.T, route, code string) float64 {
	t.Helper()
	var m dto.Metric
	if err := requests.WithLabelValues(route, code).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// The Role's PDF at a URL of its own: the PDF renderer's, in the
// published languages.
func TestRolePDF(t *testing.T) {
	s := newFixture(t).server(t)
	r := get(t, s, "/ns/career/roles/mlops-engineer/matrix.pdf")
	if r.code != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.body, "%PDF") ||
		!strings.Contains(r.header.Get("Content-Disposition"), `filename=mlops-engineer.en.pdf`) {
		t.Fatalf("matrix.pdf: %d %q %q", r.code, r.header.Get("Content-Type"), r.header.Get("Content-Disposition"))
	}
	if again := get(t, s, "/ns/career/roles/mlops-engineer/matrix.pdf"); again.body != r.body {
		t.Error("the PDF is not the same bytes twice")
	}
	// Chinese needs a CJK font: with one (Debian's fonts-droid-fallback) the
	// PDF, without one a page naming the characters, never a broken PDF.
	zh := get(t, s, "/ns/career/roles/mlops-engineer/matrix.zh-CN.pdf")
	switch zh.code {
	case http.StatusOK:
		if !strings.HasPrefix(zh.body, "%PDF") {
			t.Error("matrix.zh-CN.pdf is no PDF")
		}
	case http.StatusServiceUnavailable:
		if !strings.Contains(zh.body, "No font the portal has can print") {
			t.Errorf("matrix.zh-CN.pdf refused without saying why:\n%s", zh.body)
		}
	default:
		t.Errorf("matrix.zh-CN.pdf: %d", zh.code)
	}
	if r := get(t, s, "/ns/career/roles/mlops-engineer/matrix.fr.pdf"); r.code != http.StatusNotFound {
		t.Errorf("a language the SkillMatrix does not publish: %d", r.code)
	}
}

// A decided Proposal is not checked against the Role that may carry it:
// no "cannot be applied" on it, and nothing still needed.
func TestDecidedProposalHasNoBlockers(t *testing.T) {
	f := newFixture(t)
	// Applied: the Role holds V now, the change expected A.
	f.applied.Spec.Changes = []v1.Change{{Op: v1.OpSetProficiency, Skill: "docker", Level: "senior", Proficiency: "V",
		From: &v1.ChangeValue{Proficiency: "W"}}}
	s := f.server(t)
	r := get(t, s, "/ns/career/proposals/older")
	if r.code != http.StatusOK || strings.Contains(r.body, "cannot be applied") || strings.Contains(r.body, "Still needed") ||
		strings.Contains(r.body, `class="blockers"`) {
		t.Errorf("the Applied Proposal's page re-checks it:\n%s", r.body)
	}
	if !strings.Contains(r.body, "Docker at Senior") || !strings.Contains(r.body, "<strong>Applied</strong>") {
		t.Errorf("the Applied Proposal's page lacks its change or phase")
	}
	// While open, the same stale change is a blocker, said in words.
	f.applied.Status.Phase = v1.PhaseOpen
	r = get(t, f.server(t), "/ns/career/proposals/older")
	if !strings.Contains(r.body, "Docker at Senior: the proposal expects W, but the role now holds A.") {
		t.Errorf("an open stale Proposal does not say why it cannot be applied:\n%s", r.body)
	}
}
