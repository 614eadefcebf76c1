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
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// hmacKey signs the webhook's deliveries (the token of its Secret).
const hmacKey = "webhook-signing-key"

// delivery is one HTTP request the receiver accepted.
type delivery struct {
	kind, channel string
	// id is the X-Skillmatrix-Delivery-Id header; ids are the delivery ids
	// the message carries (a webhook's events, a chat message's footer).
	id   string
	ids  []string
	body []byte
	// text is every text of a chat payload, joined by newlines.
	text string
	at   time.Time
}

// receiver is a loopback HTTP server for Slack (/slack/CHANNEL/TOKEN), Teams
// (/teams/CHANNEL/TOKEN) and a signed webhook (/hook/CHANNEL). It verifies
// the HMAC of every webhook request and holds Slack's and Teams' payloads to
// their documented shapes, recording what does not conform in problems; a
// channel can be made to fail with a status.
type receiver struct {
	srv      *httptest.Server
	mu       sync.Mutex
	got      []delivery
	failWith map[string]int
	problems []string
}

func newReceiver() *receiver {
	r := &receiver{failWith: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	return r
}

func (r *receiver) close() { r.srv.Close() }

// url is the address of kind's channel.
func (r *receiver) url(kind, channel string) string {
	if kind == "hook" {
		return r.srv.URL + "/hook/" + channel
	}
	return r.srv.URL + "/" + kind + "/" + channel + "/T0KEN-SECRET"
}

// fail makes channel answer status (0: succeed again).
func (r *receiver) fail(channel string, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failWith[channel] = status
}

func (r *receiver) problem(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

var footerID = regexp.MustCompile(`Delivery ([0-9a-f]{24})|投递编号 ([0-9a-f]{24})`)

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	parts := strings.Split(strings.TrimPrefix(req.URL.Path, "/"), "/")
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(parts) < 2 || req.Method != http.MethodPost {
		r.problem("%s %s", req.Method, req.URL.Path)
		http.NotFound(w, req)
		return
	}
	d := delivery{kind: parts[0], channel: parts[1], id: req.Header.Get("X-Skillmatrix-Delivery-Id"),
		body: body, at: time.Now()}
	if status := r.failWith[d.channel]; status != 0 {
		http.Error(w, "failing on purpose", status)
		return
	}
	if d.id == "" {
		r.problem("%s: no X-Skillmatrix-Delivery-Id header", req.URL.Path)
	}
	if ct := req.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		r.problem("%s: Content-Type %q", req.URL.Path, ct)
	}
	switch d.kind {
	case "hook":
		r.checkWebhook(req, &d)
	case "slack":
		r.checkSlack(&d)
	case "teams":
		r.checkTeams(&d)
	default:
		r.problem("unknown kind %q", d.kind)
	}
	r.got = append(r.got, d)
}

// checkWebhook verifies X-Signature (sha256=HMAC-SHA256 of the body) and
// reads the events' delivery ids.
func (r *receiver) checkWebhook(req *http.Request, d *delivery) {
	mac := hmac.New(sha256.New, []byte(hmacKey))
	mac.Write(d.body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if got := req.Header.Get("X-Signature"); !hmac.Equal([]byte(got), []byte(want)) {
		r.problem("webhook %s: X-Signature %q does not sign the body", d.channel, got)
	}
	var p struct {
		DeliveryID string `json:"deliveryId"`
		Digest     bool   `json:"digest"`
		Subject    string `json:"subject"`
		Text       string `json:"text"`
		Events     []struct {
			DeliveryID string `json:"deliveryId"`
			Event      string `json:"event"`
			Title      string `json:"title"`
		} `json:"events"`
	}
	if err := json.Unmarshal(d.body, &p); err != nil {
		r.problem("webhook %s: %v", d.channel, err)
		return
	}
	if p.DeliveryID != d.id || len(p.Events) == 0 {
		r.problem("webhook %s: deliveryId %q, header %q, %d events", d.channel, p.DeliveryID, d.id, len(p.Events))
	}
	for _, e := range p.Events {
		d.ids = append(d.ids, e.DeliveryID)
	}
	d.text = p.Subject + "\n" + p.Text
}

// Block Kit (api.slack.com/reference/block-kit/blocks): the block and
// element types an incoming webhook message may carry, and their limits.
var (
	slackBlocks   = []string{"header", "section", "actions", "context", "divider"}
	slackTextType = []string{"plain_text", "mrkdwn"}
)

type slackTextObj struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

func (r *receiver) checkSlack(d *delivery) {
	var p struct {
		Text   *string `json:"text"`
		Blocks []struct {
			Type     string         `json:"type"`
			Text     *slackTextObj  `json:"text"`
			Fields   []slackTextObj `json:"fields"`
			Elements []struct {
				Type string        `json:"type"`
				Text *slackTextObj `json:"text"`
				URL  string        `json:"url"`
			} `json:"elements"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(d.body, &p); err != nil {
		r.problem("slack: %v", err)
		return
	}
	if p.Text == nil || *p.Text == "" {
		r.problem("slack: no top-level text (the notification's fallback)")
	}
	if len(p.Blocks) == 0 || len(p.Blocks) > 50 {
		r.problem("slack: %d blocks", len(p.Blocks))
	}
	var texts []string
	for _, b := range p.Blocks {
		if !slices.Contains(slackBlocks, b.Type) {
			r.problem("slack: block type %q", b.Type)
		}
		if b.Text != nil {
			if !slices.Contains(slackTextType, b.Text.Type) || (b.Type == "header" && b.Text.Type != "plain_text") {
				r.problem("slack: %s block with %s text", b.Type, b.Text.Type)
			}
			if (b.Type == "header" && len(b.Text.Text) > 150) || len(b.Text.Text) > 3000 {
				r.problem("slack: %s text of %d characters", b.Type, len(b.Text.Text))
			}
			texts = append(texts, b.Text.Text)
		}
		if b.Type == "section" && b.Text == nil && len(b.Fields) == 0 {
			r.problem("slack: a section without text or fields")
		}
		if len(b.Fields) > 10 {
			r.problem("slack: %d fields", len(b.Fields))
		}
		for _, f := range b.Fields {
			texts = append(texts, f.Text)
		}
		for _, e := range b.Elements {
			switch {
			case b.Type == "actions" && (e.Type != "button" || e.Text == nil || e.Text.Type != "plain_text" || e.URL == ""):
				r.problem("slack: actions element %+v", e)
			case b.Type == "context" && !slices.Contains(slackTextType, e.Type):
				r.problem("slack: context element %q", e.Type)
			}
			if e.Text != nil {
				texts = append(texts, e.Text.Text)
			}
			if e.URL != "" {
				texts = append(texts, e.URL)
			}
		}
	}
	d.text = strings.Join(texts, "\n")
	d.ids = footerIDs(d.text)
}

// checkTeams holds a Teams workflow message to its shape: a message with
// one Adaptive Card attachment.
func (r *receiver) checkTeams(d *delivery) {
	var p struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string          `json:"contentType"`
			ContentURL  json.RawMessage `json:"contentUrl"`
			Content     struct {
				Schema  string `json:"$schema"`
				Type    string `json:"type"`
				Version string `json:"version"`
				Body    []struct {
					Type    string `json:"type"`
					Inlines []struct {
						Type string `json:"type"`
						Text string `json:"text"`
					} `json:"inlines"`
				} `json:"body"`
				Actions []struct {
					Type  string `json:"type"`
					Title string `json:"title"`
					URL   string `json:"url"`
				} `json:"actions"`
			} `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(d.body, &p); err != nil {
		r.problem("teams: %v", err)
		return
	}
	if p.Type != "message" || len(p.Attachments) != 1 {
		r.problem("teams: type %q with %d attachments", p.Type, len(p.Attachments))
		return
	}
	a := p.Attachments[0]
	if a.ContentType != "application/vnd.microsoft.card.adaptive" || a.Content.Type != "AdaptiveCard" ||
		a.Content.Version == "" || a.Content.Schema == "" {
		r.problem("teams: attachment %s, card %q version %q", a.ContentType, a.Content.Type, a.Content.Version)
	}
	var texts []string
	for _, b := range a.Content.Body {
		if b.Type != "RichTextBlock" || len(b.Inlines) == 0 {
			r.problem("teams: body element %q", b.Type)
		}
		for _, in := range b.Inlines {
			if in.Type != "TextRun" {
				r.problem("teams: inline %q", in.Type)
			}
			texts = append(texts, in.Text)
		}
	}
	for _, act := range a.Content.Actions {
		if act.Type != "Action.OpenUrl" || act.URL == "" || act.Title == "" {
			r.problem("teams: action %+v", act)
		}
		texts = append(texts, act.URL)
	}
	d.text = strings.Join(texts, "\n")
	d.ids = footerIDs(d.text)
}

func footerIDs(s string) []string {
	matches := footerID.FindAllStringSubmatch(s, -1)
	out := make([]string, 0, len(matches))
	for _, m := range matches {
		out = append(out, m[1]+m[2])
	}
	return out
}

// deliveries returns what channel received.
func (r *receiver) deliveries(channel string) []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []delivery
	for _, d := range r.got {
		if d.channel == channel {
			out = append(out, d)
		}
	}
	return out
}

// troubles returns the shape and signature problems seen.
func (r *receiver) troubles() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.problems)
}
