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
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// The elements the email's HTML part is made of: whatever people write
// must not add one.
var emailElements = []string{"html", "head", "meta", "title", "body", "h2", "p", "table", "tr", "th", "td",
	"blockquote", "strong", "ul", "li", "a", "code", "hr", "br"}

// FuzzMessage composes messages from hostile titles, comments and names and
// checks every channel's payload: Slack, Teams and the webhook get valid
// JSON that carries the text as written, the email parses, keeps to its
// headers, and its HTML part holds only the template's elements.
func FuzzMessage(f *testing.F) {
	f.Add(hostile, "carol", "looks good", "en")
	f.Add("Raise Kubernetes to E", "bob", "<img src=x onerror=alert(1)>", "zh-CN")
	f.Add("=?utf-8?b?Zm9yZ2Vk?=", "mallory\r\nBcc: x@example.com", "]]></x>\u2028\u0000", "en")
	f.Add(strings.Repeat("长", 300), "", "", "zh-CN")
	f.Fuzz(func(t *testing.T, title, who, comment, locale string) {
		if locale != "en" && locale != "zh-CN" {
			locale = "en"
		}
		n := v1.PendingNotification{ID: "0123456789abcdef01234567", Key: "k", Event: v1.EventReviewNeeded,
			Object: "p", Role: "r", Title: title, At: metav1.NewTime(t0)}
		d := Detail{Author: who, Changes: 1, Deadline: t0, Asked: []string{who}, Categories: []string{title},
			Comments: []Quote{{Who: who, Said: "Approve", Text: comment}}}
		a := Audience{Locale: locale, Location: time.UTC, PortalURL: "https://career.example.com", Namespace: "career",
			Why: WhyRule(locale, "team", "career"), Unsubscribe: "https://career.example.com/unsubscribe/x"}
		for _, m := range []Message{Single(n, d, a), Digest([]v1.PendingNotification{n, n}, 3, a)} {
			for name, format := range map[string]func(Message) ([]byte, error){
				"slack": SlackPayload, "teams": TeamsPayload, "webhook": WebhookPayload,
			} {
				body, err := format(m)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !json.Valid(body) {
					t.Fatalf("%s: invalid JSON", name)
				}
			}
			checkEmail(t, m)
		}
	})
}

func checkEmail(t *testing.T, m Message) {
	t.Helper()
	raw, err := Email(m, Envelope{From: "career@example.com", To: []string{"bob@example.com"}, Date: t0})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the email does not parse: %v", err)
	}
	allowed := []string{"From", "To", "Subject", "Date", "Message-Id", "Mime-Version", "Content-Type", "Content-Language",
		"Auto-Submitted", "X-Auto-Response-Suppress", HeaderDeliveryID, HeaderDigestOf, "List-Unsubscribe", "List-Unsubscribe-Post"}
	for name := range msg.Header {
		if !slices.Contains(allowed, name) {
			t.Fatalf("the email carries a header %q", name)
		}
	}
	if _, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("subject: %v", err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := parts.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p)
		if !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			continue
		}
		z := html.NewTokenizer(bytes.NewReader(body))
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			if tt == html.StartTagToken || tt == html.EndTagToken || tt == html.SelfClosingTagToken {
				name, _ := z.TagName()
				if !slices.Contains(emailElements, string(name)) {
					t.Fatalf("the HTML part holds a <%s> element", name)
				}
			}
		}
	}
}
