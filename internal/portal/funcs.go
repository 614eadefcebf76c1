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
	"html/template"
	"time"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// templateFuncs are the helpers the templates call. None returns markup:
// html/template escapes everything they give it.
var templateFuncs = template.FuncMap{
	"date":     func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"datetime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"nslink":   func(ns string) link { return link{Text: ns, URL: namespaceURL(ns)} },
	"duration": duration,
}

// duration says a voting period as people do: 7 days, 36 hours, 90 minutes.
func duration(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return text.Plural(int64(d/(24*time.Hour)), "day", "days")
	case d >= time.Hour && d%time.Hour == 0:
		return text.Plural(int64(d/time.Hour), "hour", "hours")
	case d >= time.Minute && d%time.Minute == 0:
		return text.Plural(int64(d/time.Minute), "minute", "minutes")
	}
	return d.String()
}
