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
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Default per-person write limits: a token bucket of 10 that refills at 30
// a minute. A person proposing, voting and reviewing by hand never meets
// them; a script looping through the portal does.
const (
	defaultWritesPerMinute = 30
	defaultWriteBurst      = 10
	// maxLimiters bounds the people remembered; idle ones go first.
	maxLimiters = 10000
)

// rateLimits holds a token bucket per person (username).
type rateLimits struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	buckets map[string]*bucket
}

type bucket struct {
	l    *rate.Limiter
	used time.Time
}

func newRateLimits(perMinute float64, burst int) *rateLimits {
	if perMinute <= 0 {
		perMinute = defaultWritesPerMinute
	}
	if burst <= 0 {
		burst = defaultWriteBurst
	}
	return &rateLimits{every: rate.Limit(perMinute / 60), burst: burst, buckets: map[string]*bucket{}}
}

// allow takes one write from user's bucket, if there is one left.
func (r *rateLimits) allow(user string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, ok := r.buckets[user]
	if !ok {
		if len(r.buckets) >= maxLimiters {
			r.sweep(now)
		}
		b = &bucket{l: rate.NewLimiter(r.every, r.burst)}
		r.buckets[user] = b
	}
	b.used = now
	return b.l.AllowN(now, 1)
}

// sweep forgets the buckets that have refilled (nobody used them for as
// long as a full refill takes), and everyone if that is not enough.
func (r *rateLimits) sweep(now time.Time) {
	full := time.Duration(float64(r.burst)/float64(r.every)*float64(time.Second)) + time.Second
	for k, b := range r.buckets {
		if now.Sub(b.used) > full {
			delete(r.buckets, k)
		}
	}
	if len(r.buckets) >= maxLimiters {
		r.buckets = map[string]*bucket{}
	}
}
