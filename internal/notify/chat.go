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
	"encoding/json"
	"strings"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// The chat and webhook payloads. What people wrote (titles, comments,
// names) never goes where a channel reads markup: Slack gets it in
// plain_text objects and its top-level text escaped as Slack asks (&, <, >),
// so no mention, link or formatting is made of it; Teams gets it in
// RichTextBlock TextRuns, which Adaptive Cards show as written (no Markdown,
// no date functions); the webhook gets JSON. encoding/json escapes <, > and
// & besides.

// Slack's block and Teams' text weight the payloads use most.
const (
	slackSection = "section"
	teamsBolder  = "Bolder"
)

// Slack's limits (Block Kit): a header's text, a section's text, the
// blocks of one message.
const (
	slackHeaderMax  = 150
	slackSectionMax = 3000
	slackBlocksMax  = 50
	// chatItemsMax bounds the lines a digest lists in a chat message; the
	// rest are counted.
	chatItemsMax = 100
)

// SlackEscape escapes text for a Slack mrkdwn or top-level text field.
func SlackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

type slackText struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji *bool  `json:"emoji,omitempty"`
}

type slackElement struct {
	Type string     `json:"type"`
	Text *slackText `json:"text,omitempty"`
	URL  string     `json:"url,omitempty"`
}

type slackBlock struct {
	Type     string         `json:"type"`
	Text     *slackText     `json:"text,omitempty"`
	Fields   []slackText    `json:"fields,omitempty"`
	Elements []slackElement `json:"elements,omitempty"`
}

// SlackPayload is m as a Slack incoming webhook's JSON: text (the
// notification's fallback) and blocks.
func SlackPayload(m Message) ([]byte, error) {
	plain := func(s string, n int) *slackText {
		return &slackText{Type: "plain_text", Text: text.Truncate(s, n), Emoji: new(false)}
	}
	blocks := []slackBlock{{Type: "header", Text: plain(m.Subject, slackHeaderMax)}}
	for _, para := range []string{m.Summary, m.Description} {
		if para != "" {
			blocks = append(blocks, slackBlock{Type: slackSection, Text: plain(para, slackSectionMax)})
		}
	}
	if len(m.Facts) > 0 {
		b := slackBlock{Type: slackSection}
		for _, f := range m.Facts[:min(len(m.Facts), 10)] {
			b.Fields = append(b.Fields, *plain(f.Label+": "+f.Value, 2000))
		}
		blocks = append(blocks, b)
	}
	for _, q := range m.Quotes {
		blocks = append(blocks, slackBlock{Type: slackSection, Text: plain(q.Who+" ("+q.Said+"): "+q.Text, slackSectionMax)})
	}
	for _, chunk := range digestChunks(m, slackSectionMax) {
		if len(blocks) >= slackBlocksMax-4 {
			break
		}
		blocks = append(blocks, slackBlock{Type: slackSection, Text: plain(chunk, slackSectionMax)})
	}
	if m.Link != nil {
		blocks = append(blocks, slackBlock{Type: "actions", Elements: []slackElement{
			{Type: "button", Text: plain(m.Link.Text, 75), URL: m.Link.URL}}})
	}
	if m.Command != "" {
		blocks = append(blocks, slackBlock{Type: slackSection, Text: plain(m.Command, slackSectionMax)})
	}
	footer := slackBlock{Type: "context"}
	for _, f := range m.Footer {
		footer.Elements = append(footer.Elements, slackElement{Type: "plain_text", Text: plain(f, 2000)})
	}
	blocks = append(blocks, footer)
	return json.Marshal(struct {
		Text   string       `json:"text"`
		Blocks []slackBlock `json:"blocks"`
	}{Text: SlackEscape(m.Subject), Blocks: blocks})
}

// digestChunks are a digest's lines, joined into chunks of at most n bytes,
// with the count of those it leaves out.
func digestChunks(m Message, n int) []string {
	if !m.Digest {
		return nil
	}
	lines := make([]string, 0, min(len(m.Entries), chatItemsMax)+1)
	for _, e := range m.Entries[:min(len(m.Entries), chatItemsMax)] {
		lines = append(lines, "• "+e.Text)
	}
	if more := m.More + len(m.Entries) - min(len(m.Entries), chatItemsMax); more > 0 {
		lines = append(lines, render.Message(m.Locale, "notify.digest.more", "Count", more))
	}
	var chunks []string
	var b strings.Builder
	for _, l := range lines {
		l = text.Truncate(l, n)
		if b.Len() > 0 && b.Len()+1+len(l) > n {
			chunks = append(chunks, b.String())
			b.Reset()
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
	}
	if b.Len() > 0 {
		chunks = append(chunks, b.String())
	}
	return chunks
}

// Teams Adaptive Card elements.
type teamsRun struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Weight   string `json:"weight,omitempty"`
	Size     string `json:"size,omitempty"`
	Italic   bool   `json:"italic,omitempty"`
	IsSubtle bool   `json:"isSubtle,omitempty"`
}

type teamsBlock struct {
	Type    string     `json:"type"`
	Inlines []teamsRun `json:"inlines"`
}

type teamsAction struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

type teamsCard struct {
	Schema  string         `json:"$schema"`
	Type    string         `json:"type"`
	Version string         `json:"version"`
	Body    []teamsBlock   `json:"body"`
	Actions []teamsAction  `json:"actions,omitempty"`
	MSTeams map[string]any `json:"msteams"`
}

type teamsAttachment struct {
	ContentType string    `json:"contentType"`
	ContentURL  *string   `json:"contentUrl"`
	Content     teamsCard `json:"content"`
}

// TeamsPayload is m as the message a Teams workflow webhook takes: one
// Adaptive Card attachment. Every text is a TextRun of a RichTextBlock.
func TeamsPayload(m Message) ([]byte, error) {
	run := func(s string) teamsRun { return teamsRun{Type: "TextRun", Text: s} }
	block := func(runs ...teamsRun) teamsBlock { return teamsBlock{Type: "RichTextBlock", Inlines: runs} }
	title := run(m.Subject)
	title.Weight, title.Size = teamsBolder, "Medium"
	body := []teamsBlock{block(title)}
	for _, para := range []string{m.Summary, m.Description} {
		if para != "" {
			body = append(body, block(run(para)))
		}
	}
	for _, f := range m.Facts {
		label := run(f.Label + ": ")
		label.Weight = teamsBolder
		body = append(body, block(label, run(f.Value)))
	}
	for _, q := range m.Quotes {
		who := run(q.Who + " (" + q.Said + "): ")
		who.Weight = teamsBolder
		said := run(q.Text)
		said.Italic = true
		body = append(body, block(who, said))
	}
	for _, chunk := range digestChunks(m, 4000) {
		for line := range strings.SplitSeq(chunk, "\n") {
			body = append(body, block(run(line)))
		}
	}
	if m.Command != "" {
		body = append(body, block(run(m.Command)))
	}
	for _, f := range m.Footer {
		r := run(f)
		r.IsSubtle, r.Size = true, "Small"
		body = append(body, block(r))
	}
	card := teamsCard{
		Schema: "http://adaptivecards.io/schemas/adaptive-card.json", Type: "AdaptiveCard", Version: "1.4",
		Body: body, MSTeams: map[string]any{"width": "Full"},
	}
	if m.Link != nil {
		card.Actions = []teamsAction{{Type: "Action.OpenUrl", Title: m.Link.Text, URL: m.Link.URL}}
	}
	return json.Marshal(struct {
		Type        string            `json:"type"`
		Attachments []teamsAttachment `json:"attachments"`
	}{Type: "message", Attachments: []teamsAttachment{{ContentType: "application/vnd.microsoft.card.adaptive", Content: card}}})
}

// WebhookPayload is m as the JSON a generic webhook receives: the delivery
// id, every event with its own id, and the message's text.
func WebhookPayload(m Message) ([]byte, error) {
	entries := m.Entries
	if entries == nil {
		entries = []Entry{}
	}
	var link string
	if m.Link != nil {
		link = m.Link.URL
	}
	return json.Marshal(struct {
		DeliveryID string  `json:"deliveryId"`
		Digest     bool    `json:"digest"`
		Locale     string  `json:"locale"`
		Subject    string  `json:"subject"`
		Text       string  `json:"text"`
		Link       string  `json:"link,omitempty"`
		Events     []Entry `json:"events"`
		More       int     `json:"more,omitempty"`
	}{DeliveryID: m.ID, Digest: m.Digest, Locale: m.Locale, Subject: m.Subject,
		Text: PlainText(m), Link: link, Events: entries, More: m.More})
}
