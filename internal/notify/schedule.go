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
	"math"
	"sync"
	"time"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// Defaults of the delivery settings a provider or rule leaves unset.
const (
	DefaultReminderBefore = 24 * time.Hour
	DefaultWindow         = 5 * time.Second
	DefaultDigestAfter    = 3
	DefaultRateMessages   = 10
	DefaultRateInterval   = time.Minute
	DefaultTimeout        = 15 * time.Second
	// GiveUpAfter is how long a message that keeps failing is retried;
	// then it is dropped (and counted).
	GiveUpAfter = 48 * time.Hour
	// firstRetry and lastRetry bound the backoff between attempts.
	firstRetry = 5 * time.Second
	lastRetry  = 15 * time.Minute
)

// ReminderAt is when an open Proposal's DeadlineNear is due: before ahead of
// the deadline (DefaultReminderBefore when not positive), or halfway
// through the voting period when that is shorter than twice before, so a
// short vote is not reminded of the moment it opens.
func ReminderAt(created, deadline time.Time, before time.Duration) time.Time {
	if before <= 0 {
		before = DefaultReminderBefore
	}
	period := deadline.Sub(created)
	if period < 2*before {
		return created.Add(period / 2)
	}
	return deadline.Add(-before)
}

// NextDigest is the first time after after that is hour o'clock in loc. On
// a day that skips that hour (daylight saving), it is the hour after.
func NextDigest(after time.Time, hour int, loc *time.Location) time.Time {
	t := after.In(loc)
	d := time.Date(t.Year(), t.Month(), t.Day(), hour, 0, 0, 0, loc)
	if !d.After(after) {
		d = time.Date(t.Year(), t.Month(), t.Day()+1, hour, 0, 0, 0, loc)
	}
	return d
}

// Backoff is the wait after the attempts-th failure in a row: 5s, doubling,
// at most 15m.
func Backoff(attempts int32) time.Duration {
	if attempts <= 1 {
		return firstRetry
	}
	d := float64(firstRetry) * math.Pow(2, float64(attempts-1))
	return time.Duration(min(d, float64(lastRetry)))
}

// Schedule resolves a DeliverySchedule: the mode, the digest hour and the
// time zone (an error for a zone the system does not know).
func Schedule(s *v1.DeliverySchedule) (v1.DeliveryMode, int, *time.Location, error) {
	if s == nil {
		return v1.DeliveryInstant, v1.DefaultDigestHour, time.UTC, nil
	}
	mode := s.Mode
	if mode == "" {
		mode = v1.DeliveryInstant
	}
	hour := v1.DefaultDigestHour
	if s.Hour != nil {
		hour = int(*s.Hour)
	}
	loc := time.UTC
	if s.TimeZone != "" {
		l, err := time.LoadLocation(s.TimeZone)
		if err != nil {
			return mode, hour, nil, err
		}
		loc = l
	}
	return mode, hour, loc, nil
}

// Rate is a rate limit: Messages per Interval and recipient.
type Rate struct {
	Messages int
	Interval time.Duration
}

// RateOf resolves a provider's rate limit.
func RateOf(r *v1.NotificationRateLimit) Rate {
	out := Rate{Messages: DefaultRateMessages, Interval: DefaultRateInterval}
	if r == nil {
		return out
	}
	if r.Messages != nil {
		out.Messages = int(*r.Messages)
	}
	if r.Interval != nil {
		out.Interval = r.Interval.Duration
	}
	return out
}

// Limiter holds a token bucket per recipient: Messages tokens, refilled
// evenly over Interval. It is in memory: a restart starts every bucket
// full, which a restart's rarity makes harmless.
type Limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds the buckets kept; full ones are forgotten past it.
const maxBuckets = 10000

// Available is how many messages key may send at now.
func (l *Limiter) Available(key string, r Rate, now time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int(l.refill(key, r, now).tokens)
}

// Take spends n tokens of key's bucket.
func (l *Limiter) Take(key string, n int, r Rate, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(key, r, now)
	b.tokens = max(b.tokens-float64(n), 0)
}

// NextToken is when key's bucket holds a whole token again.
func (l *Limiter) NextToken(key string, r Rate, now time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(key, r, now)
	if b.tokens >= 1 {
		return now
	}
	perToken := r.Interval / time.Duration(max(r.Messages, 1))
	return now.Add(time.Duration((1 - b.tokens) * float64(perToken)))
}

func (l *Limiter) refill(key string, r Rate, now time.Time) *bucket {
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	capacity := float64(max(r.Messages, 1))
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			for k, old := range l.buckets {
				if old.tokens >= capacity || now.Sub(old.last) > r.Interval {
					delete(l.buckets, k)
				}
			}
		}
		b = &bucket{tokens: capacity, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last); elapsed > 0 && r.Interval > 0 {
		b.tokens = min(capacity, b.tokens+capacity*float64(elapsed)/float64(r.Interval))
		b.last = now
	}
	return b
}
