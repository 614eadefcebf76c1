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

package controller

import (
	"context"
	"crypto/subtle"
	"errors"
	"html/template"
	"net"
	"net/http"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// unsubscribeServer serves the one-click unsubscribe link every Follow's
// mail carries (RFC 8058): a POST to /unsubscribe/NS/NAME/TOKEN (what a mail
// client sends for List-Unsubscribe-Post, or the button of the page a GET
// shows) deletes the Follow when TOKEN is its status.unsubscribeToken. A
// GET changes nothing, so a link scanner that follows it unsubscribes
// nobody. The token is the proof: whoever holds the mail may stop it. It
// runs on every replica (no leader needed) and answers alike for a wrong
// token and a Follow that does not exist.
type unsubscribeServer struct {
	addr   string
	client client.Client
	live   client.Reader
}

// NeedLeaderElection: every replica serves the links.
func (*unsubscribeServer) NeedLeaderElection() bool { return false }

// Start serves until ctx ends.
func (u *unsubscribeServer) Start(ctx context.Context) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /unsubscribe/{namespace}/{name}/{token}", u.confirm)
	mux.HandleFunc("POST /unsubscribe/{namespace}/{name}/{token}", u.unsubscribe)
	srv := &http.Server{Addr: u.addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	logf.FromContext(ctx).Info("serving one-click unsubscribe links", "address", u.addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// follow returns the Follow the request names when its token matches.
func (u *unsubscribeServer) follow(r *http.Request) (*v1.Follow, error) {
	var f v1.Follow
	key := client.ObjectKey{Namespace: r.PathValue("namespace"), Name: r.PathValue("name")}
	if err := u.live.Get(r.Context(), key, &f); err != nil {
		return nil, err
	}
	token := f.Status.UnsubscribeToken
	if token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(r.PathValue("token"))) != 1 {
		return nil, apierrors.NewNotFound(v1.GroupVersion.WithResource("follows").GroupResource(), key.Name)
	}
	return &f, nil
}

func (u *unsubscribeServer) confirm(w http.ResponseWriter, r *http.Request) {
	f, err := u.follow(r)
	if err != nil {
		u.page(w, http.StatusNotFound, nil, "notify.unsubscribe.gone")
		return
	}
	u.page(w, http.StatusOK, f, "notify.unsubscribe.confirm")
}

func (u *unsubscribeServer) unsubscribe(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1024)
	f, err := u.follow(r)
	if err != nil {
		u.page(w, http.StatusNotFound, nil, "notify.unsubscribe.gone")
		return
	}
	// The uid precondition deletes this Follow, not one created since
	// under the same name.
	if err := u.client.Delete(r.Context(), f, client.Preconditions{UID: &f.UID}); err != nil && !apierrors.IsNotFound(err) {
		logf.FromContext(r.Context()).Error(err, "unsubscribing", "follow", client.ObjectKeyFromObject(f))
		http.Error(w, "the subscription could not be removed; try again later", http.StatusServiceUnavailable)
		return
	}
	logf.FromContext(r.Context()).Info("unsubscribed by the link of its mail", "follow", client.ObjectKeyFromObject(f),
		"role", f.Spec.RoleRef)
	u.page(w, http.StatusOK, f, "notify.unsubscribe.done")
}

var unsubscribePage = template.Must(template.New("unsubscribe").Parse(`<!DOCTYPE html>
<html lang="{{.Locale}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title></head>
<body style="font-family: sans-serif; max-width: 36em; margin: 3em auto; padding: 0 1em;">
<h1 style="font-size: 1.3em;">{{.Title}}</h1>
<p>{{.Text}}</p>
{{- if .Button}}
<form method="post"><button type="submit" name="List-Unsubscribe" value="One-Click">{{.Button}}</button></form>
{{- end}}
</body></html>
`))

// page answers with a small page in the Follow's language.
func (u *unsubscribeServer) page(w http.ResponseWriter, status int, f *v1.Follow, id string) {
	locale, role, address := string(v1.DefaultLocale), "", ""
	if f != nil {
		if f.Spec.Locale != "" {
			locale = string(f.Spec.Locale)
		}
		role = string(f.Spec.RoleRef)
		address = f.Spec.Email
		if address == "" {
			address = string(f.Spec.Subscriber)
		}
	}
	view := struct{ Locale, Title, Text, Button string }{
		Locale: locale, Title: render.Message(locale, "notify.unsubscribe.title"),
		Text: notify.SingleLine(render.Message(locale, id, "Role", role, "Address", address)),
	}
	if id == "notify.unsubscribe.confirm" {
		view.Button = render.Message(locale, "notify.unsubscribe.button")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = unsubscribePage.Execute(w, view)
}
