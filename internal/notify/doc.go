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

// Package notify decides what people are told about Proposals and how each
// message reads, in plain Go with no Kubernetes client (docs/notifications.md):
//
//   - events.go derives, from the state of a Proposal, Role or GitWriteBack,
//     the events worth telling (Opened, ReviewNeeded, DeadlineNear, Decided,
//     Applied, Reverted, WriteBackFailing), each under a stable key;
//   - outbox.go keeps one recipient's record (v1alpha1.Outbox): an event is
//     recorded before its message is sent and marked sent after, so a
//     message is sent at least once and twice only if the process dies
//     between sending and recording; Due batches bursts into digests and
//     holds daily digests to their hour;
//   - schedule.go has the times: reminders, digest hours, retry backoff,
//     and the per-recipient rate limit;
//   - message.go composes a message in the recipient's language from the
//     product's message catalogs (internal/render's locales), and the
//     formatters turn it into a Slack payload, a Teams Adaptive Card, a
//     signed webhook's JSON or a MIME email, each escaping what people
//     wrote for its channel;
//   - follow.go is what the CLI and the portal use to create a Follow.
//
// Sending is internal/notify/deliver's; reading the cluster and writing the
// records is internal/controller's.
package notify
