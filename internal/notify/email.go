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
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// Headers every email carries (docs/notifications.md): the delivery id, and
// for a digest the ids it lists, so a mail filter or a receiving script can
// drop a repeat; Message-ID derives from the delivery id too.
const (
	HeaderDeliveryID = "X-Skillmatrix-Delivery-Id"
	HeaderDigestOf   = "X-Skillmatrix-Digest-Of"
)

// Envelope is who sends an email to whom.
type Envelope struct {
	From string
	To   []string
	Date time.Time
}

//go:embed email.html.tmpl
var emailHTML string

var emailTemplate = template.Must(template.New("email").Parse(emailHTML))

// Email is m as a MIME message (RFC 5322): a text and an HTML part
// (multipart/alternative, UTF-8, quoted-printable), headers encoded as RFC
// 2047 asks, the delivery id in a header and in Message-ID, and, for a
// Follow's mail, the one-click unsubscribe headers of RFC 8058. What people
// wrote is escaped in the HTML part (html/template) and cannot start a line
// of its own in a header.
func Email(m Message, env Envelope) ([]byte, error) {
	var body bytes.Buffer
	parts := multipart.NewWriter(&body)
	if err := parts.SetBoundary("skillmatrix-" + m.ID); err != nil {
		return nil, err
	}
	var html bytes.Buffer
	if err := emailTemplate.Execute(&html, emailView{Message: m,
		MoreText:        render.Message(m.Locale, "notify.digest.more", "Count", m.More),
		UnsubscribeText: render.Message(m.Locale, "notify.footer.unsubscribe"),
	}); err != nil {
		return nil, fmt.Errorf("rendering the HTML part: %w", err)
	}
	for _, part := range []struct{ kind, content string }{{"text/plain", PlainText(m)}, {"text/html", html.String()}} {
		w, err := parts.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.kind + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(part.content)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := parts.Close(); err != nil {
		return nil, err
	}

	var out bytes.Buffer
	header := func(name, value string) { out.WriteString(name + ": " + value + "\r\n") }
	from := mail.Address{Name: render.Message(m.Locale, "notify.from"), Address: env.From}
	header("From", from.String())
	to := make([]string, 0, len(env.To))
	for _, a := range env.To {
		to = append(to, (&mail.Address{Address: a}).String())
	}
	header("To", strings.Join(to, ",\r\n "))
	header("Subject", EncodeHeader(m.Subject))
	header("Date", env.Date.Format(time.RFC1123Z))
	header("Message-ID", "<"+m.ID+"."+domainOf(env.From)+">")
	header("MIME-Version", "1.0")
	header("Content-Type", `multipart/alternative; boundary="`+parts.Boundary()+`"`)
	header("Content-Language", m.Locale)
	header("Auto-Submitted", "auto-generated")
	header("X-Auto-Response-Suppress", "All")
	header(HeaderDeliveryID, m.ID)
	if m.Digest {
		ids := make([]string, 0, len(m.Entries))
		for _, e := range m.Entries {
			ids = append(ids, e.ID)
		}
		header(HeaderDigestOf, fold(ids))
	}
	if m.Unsubscribe != "" {
		header("List-Unsubscribe", "<"+m.Unsubscribe+">")
		header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	out.WriteString("\r\n")
	out.Write(body.Bytes())
	return out.Bytes(), nil
}

type emailView struct {
	Message
	MoreText, UnsubscribeText string
}

// domainOf is the domain of an address, for Message-ID.
func domainOf(address string) string {
	if i := strings.LastIndexByte(address, '@'); i >= 0 {
		return "skillmatrix@" + address[i+1:]
	}
	return "skillmatrix@localhost"
}

// fold joins ids into a header value, a line per 6 ids.
func fold(ids []string) string {
	var b strings.Builder
	for i, id := range ids {
		switch {
		case i == 0:
		case i%6 == 0:
			b.WriteString(",\r\n ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(id)
	}
	return b.String()
}

// EncodeHeader makes s a header value of printable ASCII: as it is when it
// is printable ASCII already, else as RFC 2047 encoded words (base64 UTF-8),
// one per line of at most 75 characters. Control characters were made
// spaces first, so nothing in s ends the header. A value that looks like an
// encoded word is encoded too, so it reads as what it says.
func EncodeHeader(s string) string {
	s = SingleLine(s)
	plain := !strings.Contains(s, "=?")
	for i := 0; i < len(s) && plain; i++ {
		plain = s[i] >= ' ' && s[i] <= '~'
	}
	if plain {
		return s
	}
	const maxChunk = 45 // 45 bytes make 60 base64 characters: a 72-character word
	var words []string
	for len(s) > 0 {
		n := 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			if n+size > maxChunk && n > 0 {
				break
			}
			n += size
		}
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, "\r\n ")
}
