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

package notify

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

const hostile = "<script>alert(1)</script> **bold** [x](http://evil.example) <!channel> {{DATE(2017-02-14T06:00:00Z)}} &amp;\r\nBcc: victim@example.com"

func hostileMessage(locale string) Message {
	n := v1.PendingNotification{ID: "0123456789abcdef01234567", Key: "uid/decided", Event: v1.EventDecided,
		Object: "raise-k8s", Role: "mlops-engineer", Outcome: "Rejected", Title: hostile, At: metav1.NewTime(t0)}
	d := Detail{Author: "alice", Changes: 2, Deadline: t0.Add(time.Hour),
		Tally:    &v1.Tally{Approvals: 1, MinApprovals: 2, Rejections: 3, RequiredReviews: 1, ChangesRequested: 1},
		Comments: []Quote{{Who: "carol", Said: "RequestChanges", Text: hostile}}}
	a := Audience{Locale: locale, Location: time.UTC, PortalURL: "https://career.example.com", Namespace: "career",
		Why: WhyFollow(locale, "bob", "mlops-engineer"), Unsubscribe: "https://career.example.com/unsubscribe/career/f/tok"}
	return Single(n, d, a)
}

func TestSingleReadsInTheRecipientsLanguage(t *testing.T) {
	en := hostileMessage("en")
	if !strings.HasPrefix(en.Subject, "Rejected: ") || !strings.Contains(en.Summary, "rejected") {
		t.Errorf("en: %q / %q", en.Subject, en.Summary)
	}
	zh := hostileMessage("zh-CN")
	if !strings.HasPrefix(zh.Subject, "已否决：") || !strings.Contains(zh.Footer[0], "关注了") {
		t.Errorf("zh-CN: %q / %v", zh.Subject, zh.Footer)
	}
	if strings.ContainsAny(en.Subject, "\r\n") {
		t.Errorf("subject keeps a line break: %q", en.Subject)
	}
	if en.Link == nil || en.Link.URL != "https://career.example.com/ns/career/proposals/raise-k8s" {
		t.Errorf("link %+v", en.Link)
	}
}

func TestSlackPayloadKeepsTextAsText(t *testing.T) {
	body, err := SlackPayload(hostileMessage("en"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
			Text *struct {
				Type, Text string
			} `json:"text"`
			Fields []struct{ Type, Text string } `json:"fields"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(p.Text, "<>") || !strings.Contains(p.Text, "&lt;script&gt;") {
		t.Errorf("top-level text not escaped: %q", p.Text)
	}
	for _, b := range p.Blocks {
		if b.Text != nil && b.Text.Type != "plain_text" {
			t.Errorf("block %s carries %s text; people's text goes in plain_text", b.Type, b.Text.Type)
		}
		for _, f := range b.Fields {
			if f.Type != "plain_text" {
				t.Errorf("field of type %s", f.Type)
			}
		}
	}
	if bytes.Contains(body, []byte("<script>")) {
		t.Error("the raw payload carries <script>")
	}
}

func TestTeamsPayloadKeepsTextAsText(t *testing.T) {
	body, err := TeamsPayload(hostileMessage("en"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string `json:"contentType"`
			Content     struct {
				Type string `json:"type"`
				Body []struct {
					Type    string `json:"type"`
					Inlines []struct{ Type, Text string }
				} `json:"body"`
				Actions []struct{ Type, URL string } `json:"actions"`
			} `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != "message" || len(p.Attachments) != 1 || p.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" ||
		p.Attachments[0].Content.Type != "AdaptiveCard" {
		t.Fatalf("shape: %s", body)
	}
	found := false
	for _, b := range p.Attachments[0].Content.Body {
		if b.Type != "RichTextBlock" {
			t.Errorf("body element %s: people's text goes in TextRuns", b.Type)
		}
		for _, r := range b.Inlines {
			if r.Type != "TextRun" {
				t.Errorf("inline %s", r.Type)
			}
			found = found || strings.Contains(r.Text, "<script>alert(1)</script> **bold**")
		}
	}
	if !found {
		t.Error("the title does not arrive as written")
	}
	if bytes.Contains(body, []byte("<script>")) {
		t.Error("the raw payload carries <script>")
	}
}

func TestEmailEscapesAndCarriesItsHeaders(t *testing.T) {
	m := hostileMessage("zh-CN")
	raw, err := Email(m, Envelope{From: "career@example.com", To: []string{"bob@example.com"}, Date: t0})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Bcc") != "" {
		t.Fatal("a title made a header")
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || !strings.HasPrefix(subject, "已否决：<script>") {
		t.Errorf("subject %q (%v)", subject, err)
	}
	for name, want := range map[string]string{
		HeaderDeliveryID:        m.ID,
		"List-Unsubscribe":      "<https://career.example.com/unsubscribe/career/f/tok>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Content-Language":      "zh-CN",
		"Message-Id":            "<" + m.ID + ".skillmatrix@example.com>",
	} {
		if got := msg.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	var texts []string
	for {
		p, err := parts.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p) // NextPart decodes quoted-printable
		texts = append(texts, string(b))
	}
	if len(texts) != 2 {
		t.Fatalf("%d parts", len(texts))
	}
	if !strings.Contains(texts[0], "<script>alert(1)</script>") {
		t.Error("the text part does not carry the title as written")
	}
	html := texts[1]
	if strings.Contains(html, "<script>") || !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the HTML part does not escape the title:\n%s", html)
	}
	if !strings.Contains(html, `lang="zh-CN"`) {
		t.Error("the HTML part names no language")
	}
}

func TestEncodeHeader(t *testing.T) {
	for _, s := range []string{"plain ascii", "=?utf-8?q?forged?=", "职业技能矩阵 " + strings.Repeat("长", 80), "a\r\nb"} {
		enc := EncodeHeader(s)
		for line := range strings.SplitSeq(enc, "\r\n") {
			if len(line) > 78 && strings.Contains(enc, "=?") {
				t.Errorf("line of %d characters: %q", len(line), line)
			}
		}
		got, err := new(mime.WordDecoder).DecodeHeader(strings.ReplaceAll(enc, "\r\n ", " "))
		if err != nil {
			t.Fatal(err)
		}
		if strings.ReplaceAll(got, " ", "") != strings.ReplaceAll(SingleLine(s), " ", "") {
			t.Errorf("%q decodes to %q", s, got)
		}
	}
}

func TestDigestListsEveryEntry(t *testing.T) {
	pending := make([]v1.PendingNotification, 0, 3)
	for _, name := range []string{"a", "b", "c"} {
		pending = append(pending, v1.PendingNotification{ID: DeliveryID("r", name), Key: name, Event: v1.EventApplied,
			Object: name, Role: "mlops-engineer", Title: "title " + name, At: metav1.NewTime(t0)})
	}
	m := Digest(pending, 7, Audience{Locale: "en", Namespace: "career"})
	if !m.Digest || len(m.Entries) != 3 || m.Subject != "10 updates on the career matrices of career" {
		t.Fatalf("%+v", m)
	}
	body, err := WebhookPayload(m)
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		DeliveryID string
		Digest     bool
		Events     []struct{ DeliveryID, Event, Title string }
		More       int
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.DeliveryID != m.ID || !p.Digest || len(p.Events) != 3 || p.Events[1].DeliveryID != DeliveryID("r", "b") || p.More != 7 {
		t.Errorf("webhook digest: %s", body)
	}
	if !strings.Contains(PlainText(m), "and 7 more updates") {
		t.Error(PlainText(m))
	}
}
