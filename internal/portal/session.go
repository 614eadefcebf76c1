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
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The portal's cookies. Both are __Host- cookies: Secure, Path=/, no
// Domain, so no other host or path can set or read them; HttpOnly, so no
// script reads them; SameSite=Lax, so no other site's form carries them.
const (
	// sessionCookie holds the portal session: a random id (what form tokens
	// are bound to) and, with the portal's own login, the ID token. It is
	// encrypted and authenticated with the session key.
	sessionCookie = "__Host-skillmatrix-session"
	// loginCookie holds the state, PKCE verifier, nonce and return address of
	// a sign-in in progress, for ten minutes, encrypted likewise.
	loginCookie = "__Host-skillmatrix-login"
)

// MinSessionKeyBytes is the least key material the portal accepts.
const MinSessionKeyBytes = 32

// formTokenTTL bounds how long a page's forms stay valid.
const formTokenTTL = 12 * time.Hour

// sessionTTL bounds a session cookie; the ID token in it usually expires
// first.
const sessionTTL = 24 * time.Hour

// keys are derived from the session key, one per purpose, so a form token
// can never be mistaken for a cookie or the other way round.
type keys struct {
	form   []byte
	cookie cipher.AEAD
}

func deriveKeys(secret []byte) (*keys, error) {
	if len(secret) < MinSessionKeyBytes {
		return nil, errors.New("the session key must hold at least 32 bytes")
	}
	derive := func(purpose string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("skillmatrix-portal/" + purpose))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("cookie"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &keys{form: derive("form"), cookie: aead}, nil
}

// seal encrypts v for a cookie named name: the name is authenticated too,
// so one cookie's value is no good as another's.
func (k *keys) seal(name string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, k.cookie.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(k.cookie.Seal(nonce, nonce, plain, []byte(name))), nil
}

// open decrypts a cookie value sealed for name into v.
func (k *keys) open(name, value string, v any) error {
	data, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(data) < k.cookie.NonceSize() {
		return errors.New("not a cookie of this portal")
	}
	plain, err := k.cookie.Open(nil, data[:k.cookie.NonceSize()], data[k.cookie.NonceSize():], []byte(name))
	if err != nil {
		return errors.New("not a cookie of this portal (or of its previous session key)")
	}
	return json.Unmarshal(plain, v)
}

// session is the content of the session cookie.
type session struct {
	// ID is random; form tokens are bound to it.
	ID string `json:"id"`
	// IDToken is the ID token of the portal's own login; empty behind a
	// proxy, which sends the token with every request.
	IDToken string `json:"tok,omitempty"`
	// Expires bounds the cookie whatever the browser does with it.
	Expires int64 `json:"exp"`
}

func randomID() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// readSession returns the request's session, if it has a valid one.
func (k *keys) readSession(r *http.Request, now time.Time) (*session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, false
	}
	var s session
	if err := k.open(sessionCookie, c.Value, &s); err != nil || s.ID == "" || now.Unix() > s.Expires {
		return nil, false
	}
	return &s, true
}

// writeSession sets the session cookie.
func (k *keys) writeSession(w http.ResponseWriter, s *session) error {
	v, err := k.seal(sessionCookie, s)
	if err != nil {
		return err
	}
	http.SetCookie(w, hostCookie(sessionCookie, v, time.Unix(s.Expires, 0)))
	return nil
}

// hostCookie is a __Host- cookie: Secure, HttpOnly, SameSite=Lax, Path=/.
func hostCookie(name, value string, expires time.Time) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", Expires: expires, Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode}
}

// clearCookie removes a __Host- cookie.
func clearCookie(w http.ResponseWriter, name string) {
	c := hostCookie(name, "", time.Unix(0, 0))
	c.MaxAge = -1
	http.SetCookie(w, c)
}

// formToken is the token every form of the portal carries: the time it was
// made and an HMAC over that time, the person (issuer and subject of their
// token) and their portal session. A form copied into another person's
// session, or replayed from another session of the same person, fails.
func (k *keys) formToken(id *identity, now time.Time) string {
	ts := strconv.FormatInt(now.Unix(), 10)
	return ts + "." + base64.RawURLEncoding.EncodeToString(k.formMAC(id, ts))
}

func (k *keys) formMAC(id *identity, ts string) []byte {
	m := hmac.New(sha256.New, k.form)
	for _, part := range []string{"form/v1", id.Issuer, id.Subject, id.Session, ts} {
		// Length-prefixed, so no two lists of parts give the same input.
		m.Write([]byte(strconv.Itoa(len(part)) + ":" + part))
	}
	return m.Sum(nil)
}

// checkFormToken reports whether token was made by formToken for id (its
// person and session) within formTokenTTL of now.
func (k *keys) checkFormToken(id *identity, token string, now time.Time) bool {
	ts, mac, ok := strings.Cut(token, ".")
	if !ok || len(ts) > 20 {
		return false
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	made := time.Unix(sec, 0)
	if made.After(now.Add(time.Minute)) || now.Sub(made) > formTokenTTL {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(mac)
	if err != nil {
		return false
	}
	return hmac.Equal(got, k.formMAC(id, ts))
}
