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

package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Labels of the notifications' metrics.
const (
	labelType      = "type"
	labelNamespace = "namespace"
)

// The notifications' metrics (docs/notifications.md, docs/metrics.md).
var (
	// NotificationsSent counts messages that went through, by provider type
	// and kind (message, digest), and NotificationEvents the events they
	// carried (a digest carries many).
	NotificationsSent = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "skillmatrix_notifications_sent_total",
		Help: "Messages delivered, by provider type and kind (message or digest).",
	}, []string{labelType, "kind"})
	NotificationEvents = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "skillmatrix_notification_events_delivered_total",
		Help: "Events delivered to a recipient, alone or in a digest, by provider type and event.",
	}, []string{labelType, "event"})
	// NotificationFailures counts failed deliveries by provider type and
	// reason: DeliveryFailed (retried) or DeliveryRefused (a person must act).
	NotificationFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "skillmatrix_notification_failures_total",
		Help: "Failed deliveries, by provider type and reason (DeliveryFailed is retried; DeliveryRefused needs a person).",
	}, []string{labelType, "reason"})
	// NotificationsDropped counts events given up after failing for 48h.
	NotificationsDropped = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "skillmatrix_notifications_dropped_total",
		Help: "Events given up after their delivery failed for 48 hours, by provider type.",
	}, []string{labelType})
	// ProviderFailing is 1 while a provider's last delivery failed.
	ProviderFailing = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "skillmatrix_notification_provider_failing",
		Help: "1 while the provider's last delivery failed, 0 once one goes through.",
	}, []string{labelNamespace, "provider"})
	// NotificationLatency measures from recording an event for a recipient
	// to its delivery (a burst's window and retries included).
	NotificationLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "skillmatrix_notification_delivery_seconds",
		Help:    "Time from recording an event for a recipient to its delivery, by provider type.",
		Buckets: prometheus.ExponentialBuckets(0.25, 2, 14),
	}, []string{labelType})
)

func init() {
	ctrlmetrics.Registry.MustRegister(NotificationsSent, NotificationEvents, NotificationFailures,
		NotificationsDropped, ProviderFailing, NotificationLatency)
}
