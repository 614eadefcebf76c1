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
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzConditionalHeaders feeds request headers to the parsers of
// Accept-Encoding, If-None-Match and If-Modified-Since: they never panic, an
// If-None-Match that lists the page's ETag always gets a 304, and one that
// lists only other tags never does.
func FuzzConditionalHeaders(f *testing.F) {
	for _, seed := range [][3]string{
		{"gzip, deflate, br", `"abc"`, "Mon, 02 Jan 2026 15:04:05 GMT"},
		{"gzip;q=0", `W/"abc-gz", "x"`, ""},
		{"identity, *;q=0", "*", "not a date"},
		{"GZIP ; q=0.5", `"abc" , W/"other"`, "Sun, 06 Nov 1994 08:49:37 GMT"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	modified := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, acceptEncoding, ifNoneMatch, ifModifiedSince string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", acceptEncoding)
		r.Header.Set("If-None-Match", ifNoneMatch)
		r.Header.Set("If-Modified-Since", ifModifiedSince)
		_ = acceptsGzip(r)
		got := notModified(r, `"abc"`, modified)
		if r.Header.Get("If-None-Match") == "" {
			return
		}
		listed := false
		for tag := range strings.SplitSeq(r.Header.Get("If-None-Match"), ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			listed = listed || tag == `"abc"` || tag == "*"
		}
		if got != listed {
			t.Errorf("If-None-Match %q: notModified = %v, want %v", ifNoneMatch, got, listed)
		}
	})
}
