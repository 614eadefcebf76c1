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

package deliver

import (
	"context"
	"crypto/hmac"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/mailpit"
)

var now = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func message(t *testing.T) notify.Message {
	t.Helper()
	n := v1.PendingNotification{ID: notify.DeliveryID("r", "k"), Key: "k", Event: v1.EventApplied,
		Object: "raise", Role: "mlops-engineer", Title: "Raise <b>Kubernetes</b>", At: metav1.NewTime(now)}
	return notify.Single(n, notify.Detail{}, notify.Audience{Locale: "en", Namespace: "career", Location: time.UTC})
}

func TestWebhookIsSigned(t *testing.T) {
	key := []byte("s3cret")
	var gotSig, gotID string
	var gotBody []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotSig, gotID = r.Header.Get(HeaderSignature), r.Header.Get(HeaderDeliveryID)
		gotBody, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()
	m := message(t)
	if err := Send(context.Background(), Target{Type: v1.ProviderWebhook, URL: srv.URL + "/hook", Token: key}, m, nil, now); err != nil {
		t.Fatal(err)
	}
	if !hmac.Equal([]byte(gotSig), []byte(Sign(key, gotBody))) || !strings.HasPrefix(gotSig, "sha256=") {
		t.Errorf("signature %q does not sign the body", gotSig)
	}
	if gotID != m.ID {
		t.Errorf("delivery id header %q, want %q", gotID, m.ID)
	}
}

func TestHTTPErrorsCarryNoSecret(t *testing.T) {
	const token = "T000/B000/XXXXsecretXXXX"
	for _, tc := range []struct {
		status  int
		refused bool
	}{{http.StatusNotFound, true}, {http.StatusForbidden, true}, {http.StatusInternalServerError, false}, {http.StatusTooManyRequests, false}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no such hook: "+r.URL.Path, tc.status)
		}))
		err := Send(context.Background(), Target{Type: v1.ProviderSlack, URL: srv.URL + "/services/" + token}, message(t), nil, now)
		srv.Close()
		if err == nil || Refused(err) != tc.refused {
			t.Errorf("HTTP %d: %v, refused %t", tc.status, err, Refused(err))
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("HTTP %d: the error shows the token: %v", tc.status, err)
		}
	}
	// Nobody listening: retried, and the URL's path is not named either.
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	err := Send(context.Background(), Target{Type: v1.ProviderMSTeams, URL: srv.URL + "/workflows/" + token}, message(t), nil, now)
	if err == nil || Refused(err) || strings.Contains(err.Error(), "secret") {
		t.Errorf("unreachable: %v", err)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	var followed bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { followed = true }))
	defer elsewhere.Close()
	srv := httptest.NewServer(http.RedirectHandler(elsewhere.URL, http.StatusTemporaryRedirect))
	defer srv.Close()
	if err := Send(context.Background(), Target{Type: v1.ProviderWebhook, URL: srv.URL}, message(t), nil, now); err == nil || followed {
		t.Errorf("redirect: err %v, followed %t", err, followed)
	}
}

func TestMailThroughMailpit(t *testing.T) {
	if testing.Short() {
		t.Skip("starts mailpit")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin, err := mailpit.Binary(ctx, filepath.Join("..", "..", ".."))
	if err != nil {
		t.Skip(err)
	}
	mp, err := mailpit.Start(ctx, bin, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer mp.Stop()
	smtp := SMTP{Host: mp.SMTPHost, Port: mp.SMTPPort, From: "career@example.com"}

	// StartTLS is the default and mailpit offers none: refused, not retried.
	err = Send(ctx, Target{Type: v1.ProviderSMTP, SMTP: smtp}, message(t), []string{"bob@example.com"}, now)
	if !Refused(err) || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("without STARTTLS: %v", err)
	}
	smtp.Security, smtp.Username, smtp.Password = v1.SMTPNone, "operator", "pw"
	m := message(t)
	if err := Send(ctx, Target{Type: v1.ProviderSMTP, SMTP: smtp}, m, []string{"bob@example.com"}, now); err != nil {
		t.Fatal(err)
	}
	got, err := mp.Messages(ctx)
	if err != nil || len(got) != 1 {
		t.Fatalf("mailpit holds %d messages (%v)", len(got), err)
	}
	if got[0].Subject != "Applied to mlops-engineer: Raise <b>Kubernetes</b>" || got[0].To[0].Address != "bob@example.com" {
		t.Errorf("received %+v", got[0])
	}
	h, err := mp.Headers(ctx, got[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if h[notify.HeaderDeliveryID][0] != m.ID {
		t.Errorf("headers %v", h)
	}
}
