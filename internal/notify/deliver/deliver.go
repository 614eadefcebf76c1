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

// Package deliver sends a composed message (internal/notify) through one
// provider: an HTTP POST to Slack, a Teams workflow or a webhook (signed
// with HMAC-SHA256 when the provider has a token), or an email over SMTP.
// It holds no Kubernetes client: the controller resolves the provider and
// its Secret into a Target. Its errors never carry a secret: not the
// webhook URL (Slack's and Teams' carry their token in the path), not a
// password, not the HMAC key.
package deliver

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// Headers of an HTTP delivery.
const (
	// HeaderSignature carries the HMAC-SHA256 of the body, keyed with the
	// provider's token, as "sha256=<hex>" (Flux's generic-hmac).
	HeaderSignature = "X-Signature"
	// HeaderDeliveryID carries the message's delivery id.
	HeaderDeliveryID = "X-Skillmatrix-Delivery-Id"
)

// Target is a provider resolved with its Secret.
type Target struct {
	Type v1.NotificationProviderType
	// URL of Slack, Teams or the webhook.
	URL string
	// Token is the webhook's HMAC key; no signature without one.
	Token []byte
	SMTP  SMTP
	// Timeout bounds one delivery.
	Timeout time.Duration
	// Transport, when set, replaces the default HTTP transport (tests).
	Transport http.RoundTripper
}

// SMTP is how to reach the mail server.
type SMTP struct {
	Host               string
	Port               int
	Security           v1.SMTPSecurity
	From               string
	Username, Password string
	// TLS, when set, replaces the default TLS settings (a test's CA).
	TLS *tls.Config
}

// Error is a failed delivery. Refused: the receiver refused the credentials
// or the address, and a retry will not mend it (a person must).
type Error struct {
	Refused bool
	Msg     string
}

func (e *Error) Error() string { return e.Msg }

// Refused reports whether err says the receiver refused for good.
func Refused(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Refused
}

// Send delivers m through t; to are the addresses of an email.
func Send(ctx context.Context, t Target, m notify.Message, to []string, now time.Time) error {
	if t.Timeout <= 0 {
		t.Timeout = notify.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, t.Timeout)
	defer cancel()
	var (
		body []byte
		err  error
	)
	switch t.Type {
	case v1.ProviderSMTP:
		if body, err = notify.Email(m, notify.Envelope{From: t.SMTP.From, To: to, Date: now}); err != nil {
			return &Error{Msg: "composing the email: " + err.Error()}
		}
		return sendMail(ctx, t, to, body)
	case v1.ProviderSlack:
		body, err = notify.SlackPayload(m)
	case v1.ProviderMSTeams:
		body, err = notify.TeamsPayload(m)
	case v1.ProviderWebhook:
		body, err = notify.WebhookPayload(m)
	default:
		return &Error{Refused: true, Msg: fmt.Sprintf("unknown provider type %q", t.Type)}
	}
	if err != nil {
		return &Error{Msg: "composing the payload: " + err.Error()}
	}
	return post(ctx, t, m.ID, body)
}

// Sign is the X-Signature value of body under key.
func Sign(key, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

var defaultTransport = func() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 4
	return t
}()

// post sends body to t.URL. Redirects are not followed (a redirect would
// carry the message elsewhere); 401, 403, 404 and 410 are refusals.
func post(ctx context.Context, t Target, id string, body []byte) error {
	u, err := url.Parse(t.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return &Error{Refused: true, Msg: "the provider's address is not an http(s) URL"}
	}
	where := u.Scheme + "://" + u.Host // never the path: Slack and Teams keep their token there
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return &Error{Refused: true, Msg: "the provider's address cannot be used: " + where}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "skillmatrix-operator")
	req.Header.Set(HeaderDeliveryID, id)
	if len(t.Token) > 0 {
		req.Header.Set(HeaderSignature, Sign(t.Token, body))
	}
	transport := t.Transport
	if transport == nil {
		transport = defaultTransport
	}
	client := &http.Client{Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := client.Do(req)
	if err != nil {
		if uerr, ok := errors.AsType[*url.Error](err); ok {
			err = uerr.Err // url.Error names the URL
		}
		return &Error{Msg: fmt.Sprintf("posting to %s: %s", where, scrub(err.Error(), t.URL))}
	}
	defer func() { _ = resp.Body.Close() }()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	msg := fmt.Sprintf("%s answered HTTP %d", where, resp.StatusCode)
	if a := text.Truncate(notify.SingleLine(string(answer)), 120); a != "" {
		msg += ": " + scrub(a, t.URL)
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusGone:
		return &Error{Refused: true, Msg: msg}
	}
	return &Error{Msg: msg}
}

// scrub removes the URL's path and query from s, should an answer or an
// error echo them.
func scrub(s, rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return s
	}
	for _, secret := range []string{u.RawQuery, u.EscapedPath(), u.Path} {
		if len(secret) > 1 {
			s = strings.ReplaceAll(s, secret, "/...")
		}
	}
	return s
}

// sendMail sends an email: STARTTLS (required), implicit TLS or cleartext
// as the provider says, then PLAIN authentication when it has a username
// (net/smtp refuses it without TLS, except to localhost).
func sendMail(ctx context.Context, t Target, to []string, body []byte) error {
	s := t.SMTP
	port := s.Port
	if port == 0 {
		port = 587
		if s.Security == v1.SMTPTLS {
			port = 465
		}
	}
	addr := net.JoinHostPort(s.Host, strconv.Itoa(port))
	tlsConfig := s.TLS
	if tlsConfig == nil {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tlsConfig = tlsConfig.Clone()
	tlsConfig.ServerName = s.Host
	dialer := &net.Dialer{}
	var conn net.Conn
	var err error
	if s.Security == v1.SMTPTLS {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: tlsConfig}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return &Error{Msg: "connecting to the SMTP server " + addr + ": " + err.Error()}
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		_ = conn.Close()
		return smtpError(addr, "greeting", err)
	}
	defer func() { _ = c.Close() }()
	return mailSession(c, s, addr, tlsConfig, to, body)
}

// mailSession speaks SMTP on an open connection: HELO, STARTTLS, AUTH, and
// the message.
func mailSession(c *smtp.Client, s SMTP, addr string, tlsConfig *tls.Config, to []string, body []byte) error {
	if err := c.Hello("skillmatrix-operator"); err != nil {
		return smtpError(addr, "HELO", err)
	}
	if s.Security == "" || s.Security == v1.SMTPStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return &Error{Refused: true, Msg: "the SMTP server " + addr + " does not offer STARTTLS " +
				"(set security: TLS for implicit TLS, or None for a relay in the Pod or on the node)"}
		}
		if err := c.StartTLS(tlsConfig); err != nil {
			return smtpError(addr, "STARTTLS", err)
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return smtpError(addr, "authentication", err)
		}
	}
	if err := c.Mail(s.From); err != nil {
		return smtpError(addr, "MAIL FROM", err)
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt); err != nil {
			return smtpError(addr, "RCPT TO "+rcpt, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return smtpError(addr, "DATA", err)
	}
	if _, err := w.Write(body); err != nil {
		return smtpError(addr, "sending the message", err)
	}
	if err := w.Close(); err != nil {
		return smtpError(addr, "sending the message", err)
	}
	_ = c.Quit()
	return nil
}

// smtpError: a permanent SMTP answer (5xx: authentication, a refused
// sender or recipient) is a refusal; a temporary one or a broken
// connection is retried.
func smtpError(addr, step string, err error) error {
	var proto *textproto.Error
	refused := errors.As(err, &proto) && proto.Code >= 500
	if !refused && err.Error() == "unencrypted connection" {
		refused = true // net/smtp will not send a password in the clear
	}
	return &Error{Refused: refused, Msg: fmt.Sprintf("SMTP server %s, %s: %s", addr, step, text.Truncate(notify.SingleLine(err.Error()), 300))}
}
