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

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Notifications tell the people who decide (docs/notifications.md). The
// kinds follow Flux's notification-controller: a NotificationProvider says
// where messages go and holds the reference to its credentials, a
// NotificationRule says what is told, about which Roles, through which
// provider (Flux's Alert), and a Follow is one person's subscription to one
// Role, created as that person. Where a message has been recorded and
// whether it was sent is kept in the status of the rule or follow it is for
// (status.outboxes, status.outbox): the record is written before the
// message is sent, so a restart sends it again only if the manager died
// between sending and recording.

// NotificationEvent is something worth telling.
// +kubebuilder:validation:Enum=Opened;ReviewNeeded;DeadlineNear;Decided;Applied;Reverted;WriteBackFailing
type NotificationEvent string

// What notifications tell.
const (
	// EventOpened: a Proposal was opened.
	EventOpened NotificationEvent = "Opened"
	// EventReviewNeeded: an open Proposal needs an expert review; told to
	// the owners of the categories it touches and the rule's reviewers.
	EventReviewNeeded NotificationEvent = "ReviewNeeded"
	// EventDeadlineNear: an open Proposal's voting closes soon and it has
	// not met its rules yet.
	EventDeadlineNear NotificationEvent = "DeadlineNear"
	// EventDecided: a Proposal was Accepted, Rejected, Expired, Conflicted
	// or Withdrawn.
	EventDecided NotificationEvent = "Decided"
	// EventApplied: a Proposal's change is in its Role.
	EventApplied NotificationEvent = "Applied"
	// EventReverted: a Role no longer carries an applied Proposal's change.
	EventReverted NotificationEvent = "Reverted"
	// EventWriteBackFailing: Git write-back fails (a GitWriteBack is not
	// Ready for a reason that needs a person), or a committed change did
	// not reach its Role (Abandoned, Diverged, TimedOut).
	EventWriteBackFailing NotificationEvent = "WriteBackFailing"
)

// AllNotificationEvents lists every event, in the order of a Proposal's life.
func AllNotificationEvents() []NotificationEvent {
	return []NotificationEvent{EventOpened, EventReviewNeeded, EventDeadlineNear, EventDecided, EventApplied,
		EventReverted, EventWriteBackFailing}
}

// DefaultFollowEvents are what a Follow tells when it names none: what
// happens to the Role's Proposals. Review requests go to reviewers, and Git
// write-back trouble to the platform team.
func DefaultFollowEvents() []NotificationEvent {
	return []NotificationEvent{EventOpened, EventDeadlineNear, EventDecided, EventApplied, EventReverted}
}

// DeliveryMode is how often a recipient hears.
// +kubebuilder:validation:Enum=Instant;Digest
type DeliveryMode string

// Delivery modes.
const (
	// DeliveryInstant sends each message as it happens (bursts are batched,
	// see NotificationBatching).
	DeliveryInstant DeliveryMode = "Instant"
	// DeliveryDigest sends one message a day, at an hour in a time zone,
	// listing everything since the last one.
	DeliveryDigest DeliveryMode = "Digest"
)

// DefaultDigestHour is the hour of a daily digest that names none.
const DefaultDigestHour = 9

// DeliverySchedule says when a recipient hears.
type DeliverySchedule struct {
	// mode is Instant (the default) or Digest (one message a day).
	// +optional
	Mode DeliveryMode `json:"mode,omitempty"`

	// hour of the day the digest is sent, 0 to 23, in timeZone. Default 9.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=23
	// +optional
	Hour *int32 `json:"hour,omitempty"`

	// timeZone is an IANA time zone such as Europe/Berlin or Asia/Shanghai,
	// for the digest's hour and the times a message shows. Default UTC.
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z][-A-Za-z0-9_+]*(/[-A-Za-z0-9_+]+)*$`
	// +optional
	TimeZone string `json:"timeZone,omitempty"`
}

// NotificationProviderType is the kind of channel.
// +kubebuilder:validation:Enum=Slack;MSTeams;Webhook;SMTP
type NotificationProviderType string

// Provider types.
const (
	// ProviderSlack posts to a Slack incoming webhook.
	ProviderSlack NotificationProviderType = "Slack"
	// ProviderMSTeams posts an Adaptive Card to a Microsoft Teams workflow
	// (Power Automate "When a Teams webhook request is received").
	ProviderMSTeams NotificationProviderType = "MSTeams"
	// ProviderWebhook posts JSON, signed with HMAC-SHA256 when the Secret
	// has a token (X-Signature: sha256=<hex>, as Flux's generic-hmac).
	ProviderWebhook NotificationProviderType = "Webhook"
	// ProviderSMTP sends email.
	ProviderSMTP NotificationProviderType = "SMTP"
)

// SMTPSecurity is how the connection to the SMTP server is protected.
// +kubebuilder:validation:Enum=StartTLS;TLS;None
type SMTPSecurity string

// SMTP security modes.
const (
	SMTPStartTLS SMTPSecurity = "StartTLS"
	SMTPTLS      SMTPSecurity = "TLS"
	// SMTPNone is cleartext: for a relay on the node or in the Pod only.
	SMTPNone SMTPSecurity = "None"
)

// SMTPSettings say how to reach the mail server. Its credentials, if it
// wants any, are the keys username and password of the provider's Secret.
type SMTPSettings struct {
	// host of the SMTP server.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Host string `json:"host"`

	// port of the SMTP server. Default 587 (465 with security TLS).
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	// +optional
	Port int32 `json:"port,omitempty"`

	// from is the sender's address.
	// +kubebuilder:validation:MaxLength=254
	// +kubebuilder:validation:Pattern=`^[^\s<>@"]+@[^\s<>@"]+$`
	// +required
	From string `json:"from"`

	// security is StartTLS (the default; refused if the server does not
	// offer it), TLS (implicit, usually port 465), or None (cleartext,
	// only for a relay on the node or in the Pod).
	// +optional
	Security SMTPSecurity `json:"security,omitempty"`

	// userDomain completes a username that is not an address: with
	// example.com, the reviewer "alice" is written to alice@example.com.
	// Usernames that are addresses are used as they are.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$`
	// +optional
	UserDomain string `json:"userDomain,omitempty"`
}

// NotificationRateLimit bounds how many messages one recipient gets.
type NotificationRateLimit struct {
	// messages per interval and recipient. Default 10.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=10000
	// +optional
	Messages *int32 `json:"messages,omitempty"`

	// interval the messages are counted over. Default 1m.
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s') && duration(self) <= duration('24h')",message="interval must be between 1s and 24h"
	// +optional
	Interval *metav1.Duration `json:"interval,omitempty"`
}

// NotificationBatching turns bursts into digests.
type NotificationBatching struct {
	// window is how long the first message of a burst waits for more
	// before it is sent. Default 5s; 0s sends at once.
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('0s') && duration(self) <= duration('1h')",message="window must be between 0s and 1h"
	// +optional
	Window *metav1.Duration `json:"window,omitempty"`

	// digestAfter: when more than this many messages are due for one
	// recipient at once (or more than the rate limit allows), they go as
	// one digest that lists them. Default 3.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	// +optional
	DigestAfter *int32 `json:"digestAfter,omitempty"`
}

// FollowDelivery makes an SMTP provider the one that delivers the personal
// Follows of its namespace.
type FollowDelivery struct {
	// allowedDomains are the email domains a Follow may have its mail sent
	// to; empty allows any address.
	// +listType=set
	// +kubebuilder:validation:MaxItems=50
	// +kubebuilder:validation:items:MaxLength=253
	// +optional
	AllowedDomains []string `json:"allowedDomains,omitempty"`
}

// NotificationProviderSpec says where messages go.
// +kubebuilder:validation:XValidation:rule="(self.type == 'SMTP') == has(self.smtp)",message="smtp is required for type SMTP and not allowed for other types"
// +kubebuilder:validation:XValidation:rule="!has(self.follows) || self.type == 'SMTP'",message="follows are delivered by email: only an SMTP provider can deliver them"
// +kubebuilder:validation:XValidation:rule="self.type == 'SMTP' || has(self.address) || has(self.secretRef)",message="a Slack, MSTeams or Webhook provider needs an address, or a secretRef whose Secret holds one under the key address"
type NotificationProviderSpec struct {
	// type is Slack, MSTeams, Webhook or SMTP.
	// +required
	Type NotificationProviderType `json:"type"`

	// address is the URL messages are posted to (Slack, MSTeams, Webhook).
	// Slack's and Teams' webhook URLs are secrets themselves: keep them in
	// the Secret under the key address, which overrides this field.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern=`^https?://\S+$`
	// +optional
	Address string `json:"address,omitempty"`

	// secretRef names a Secret in this namespace, read with get only: key
	// address (the URL), token (the Webhook's HMAC-SHA256 key), username
	// and password (SMTP). Its values never appear in logs, status or
	// Events.
	// +optional
	SecretRef *SecretReference `json:"secretRef,omitempty"`

	// smtp settings, for type SMTP.
	// +optional
	SMTP *SMTPSettings `json:"smtp,omitempty"`

	// follows, when set on an SMTP provider, makes it deliver the personal
	// Follows of the namespace (the first such provider by name does).
	// +optional
	Follows *FollowDelivery `json:"follows,omitempty"`

	// rateLimit bounds the messages per recipient; what exceeds it waits
	// and goes as a digest.
	// +optional
	RateLimit *NotificationRateLimit `json:"rateLimit,omitempty"`

	// batching collects bursts into digests.
	// +optional
	Batching *NotificationBatching `json:"batching,omitempty"`

	// timeout of one delivery. Default 15s.
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s') && duration(self) <= duration('5m')",message="timeout must be between 1s and 5m"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// suspend holds every message of this provider; they are recorded and
	// sent once it is resumed.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// NotificationProviderStatus is the observed state of a provider.
type NotificationProviderStatus struct {
	// observedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready (the Secret is readable and the last delivery went
	// through), Reconciling, Stalled.
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// lastDelivery is when a message last went through (to the minute).
	// +optional
	LastDelivery *metav1.Time `json:"lastDelivery,omitempty"`

	// lastFailure is when a delivery last failed; the Ready condition says
	// why, without secrets.
	// +optional
	LastFailure *metav1.Time `json:"lastFailure,omitempty"`
}

// NotificationProvider is a channel messages are sent through: a Slack or
// Teams webhook, a signed webhook, or an SMTP server.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=cnprov,categories=career
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.spec.type`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:printcolumn:name="Last delivery",type=date,JSONPath=`.status.lastDelivery`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type NotificationProvider struct {
	metav1.TypeMeta `json:",inline"`

	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// +required
	Spec NotificationProviderSpec `json:"spec"`

	// +optional
	Status NotificationProviderStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// NotificationProviderList contains a list of NotificationProvider.
type NotificationProviderList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []NotificationProvider `json:"items"`
}

// LocalReference names an object of a known kind in the same namespace.
type LocalReference struct {
	// name of the object.
	// +required
	Name ObjectName `json:"name"`
}

// DefaultReminderBefore is how long before a deadline the reminder goes.
const DefaultReminderBefore = "24h"

// NotificationRuleSpec says what is told about which Roles, and to whom.
// +kubebuilder:validation:XValidation:rule="!(has(self.matrixRef) && has(self.roles))",message="select Roles with matrixRef or with roles, not both (neither selects every Role of the namespace)"
type NotificationRuleSpec struct {
	// providerRef names the NotificationProvider in this namespace.
	// +required
	ProviderRef LocalReference `json:"providerRef"`

	// matrixRef selects every Role of this SkillMatrix.
	// +optional
	MatrixRef ObjectName `json:"matrixRef,omitempty"`

	// roles selects these Roles. With neither matrixRef nor roles, every
	// Role of the namespace is selected.
	// +listType=set
	// +kubebuilder:validation:MaxItems=500
	// +optional
	Roles []ObjectName `json:"roles,omitempty"`

	// events to tell; default all.
	// +listType=set
	// +kubebuilder:validation:MaxItems=7
	// +optional
	Events []NotificationEvent `json:"events,omitempty"`

	// locale of the messages: en (the default) or zh-CN; any locale the
	// operator has no catalog for gets English.
	// +optional
	Locale Locale `json:"locale,omitempty"`

	// to are the team's addresses, for an SMTP provider: the messages the
	// other providers post to their channel are mailed to these together.
	// +listType=set
	// +kubebuilder:validation:MaxItems=50
	// +kubebuilder:validation:items:MaxLength=254
	// +kubebuilder:validation:items:Pattern=`^[^\s<>@"]+@[^\s<>@"]+$`
	// +optional
	To []string `json:"to,omitempty"`

	// reviewers are told when a Proposal of the selected Roles needs an
	// expert review, as are the owners the SkillMatrix names for the
	// categories it touches (RBAC holders cannot be listed, so they are
	// named here). Through an SMTP provider each gets an email of their
	// own; through the others the channel's message names them.
	// +listType=set
	// +kubebuilder:validation:MaxItems=100
	// +optional
	Reviewers []Username `json:"reviewers,omitempty"`

	// reminderBefore is how long before the deadline an open Proposal is
	// told to be near it. Default 24h (half the voting period when that
	// is shorter than twice this).
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="reminderBefore must be at least 1s"
	// +optional
	ReminderBefore *metav1.Duration `json:"reminderBefore,omitempty"`

	// delivery: Instant (the default) or a daily Digest.
	// +optional
	Delivery *DeliverySchedule `json:"delivery,omitempty"`

	// suspend records what happens and sends nothing until resumed.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// OutboxChannel is the recipient name of a rule's channel (its provider's
// channel, or its to addresses).
const OutboxChannel = "channel"

// MaxPendingNotifications bounds an outbox's pending list; events past it
// are counted (overflow) and the next message says how many.
const MaxPendingNotifications = 1000

// PendingNotification is a message recorded for a recipient and not yet
// confirmed sent.
type PendingNotification struct {
	// id is the delivery id the message carries (a header, or a footer
	// where the channel has none), the same on every attempt.
	// +kubebuilder:validation:MaxLength=64
	ID string `json:"id"`
	// key names the event: what it is about and what happened.
	// +kubebuilder:validation:MaxLength=256
	Key string `json:"key"`
	// event is what happened.
	Event NotificationEvent `json:"event"`
	// object is the name of the Proposal, Role or GitWriteBack it is about.
	// +kubebuilder:validation:MaxLength=253
	Object string `json:"object"`
	// role is the Role it concerns.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	Role string `json:"role,omitempty"`
	// outcome is the phase a decision ended in, or the reason of a failure.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Outcome string `json:"outcome,omitempty"`
	// title of the Proposal, kept for a digest that lists it once the
	// Proposal is gone.
	// +kubebuilder:validation:MaxLength=200
	// +optional
	Title string `json:"title,omitempty"`
	// at is when it was recorded.
	At metav1.Time `json:"at"`
	// attempts is how many sends failed.
	// +optional
	Attempts int32 `json:"attempts,omitempty"`
	// nextAttempt is when it is tried again after a failure.
	// +optional
	NextAttempt *metav1.Time `json:"nextAttempt,omitempty"`
}

// Outbox is the record of what one recipient is told: written before a
// message is sent, and again once it went through.
type Outbox struct {
	// recipient is "channel", or the username of a reviewer.
	// +kubebuilder:validation:MaxLength=253
	Recipient string `json:"recipient"`
	// address the messages go to by email.
	// +kubebuilder:validation:MaxLength=254
	// +optional
	Address string `json:"address,omitempty"`
	// since: everything that happened before it is told or settled. It
	// starts when the recipient does (nothing older is told) and moves on
	// as Proposals close.
	Since metav1.Time `json:"since"`
	// recorded are the keys of the events recorded since then.
	// +listType=atomic
	// +optional
	Recorded []string `json:"recorded,omitempty"`
	// pending are the messages recorded and not yet confirmed sent.
	// +listType=atomic
	// +optional
	Pending []PendingNotification `json:"pending,omitempty"`
	// overflow counts events recorded past MaxPendingNotifications; the
	// next message says how many.
	// +optional
	Overflow int32 `json:"overflow,omitempty"`
	// lastSent is when a message last went through.
	// +optional
	LastSent *metav1.Time `json:"lastSent,omitempty"`
	// lastDigest is when the last daily digest was due.
	// +optional
	LastDigest *metav1.Time `json:"lastDigest,omitempty"`
	// failures counts the sends that failed in a row.
	// +optional
	Failures int32 `json:"failures,omitempty"`
	// lastError is the last failure, without secrets.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	LastError string `json:"lastError,omitempty"`
}

// NotificationRuleStatus is the observed state of a rule.
type NotificationRuleStatus struct {
	// observedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready (messages go through), Reconciling, Stalled.
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// outboxes, one per recipient: the channel and each named reviewer.
	// +listType=map
	// +listMapKey=recipient
	// +optional
	Outboxes []Outbox `json:"outboxes,omitempty"`
}

// NotificationRule tells a provider's channel, and the reviewers it names,
// what happens to the Proposals of some Roles (Flux's Alert).
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=cnrule,categories=career
// +kubebuilder:printcolumn:name="Provider",type=string,JSONPath=`.spec.providerRef.name`
// +kubebuilder:printcolumn:name="Matrix",type=string,JSONPath=`.spec.matrixRef`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type NotificationRule struct {
	metav1.TypeMeta `json:",inline"`

	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// +required
	Spec NotificationRuleSpec `json:"spec"`

	// +optional
	Status NotificationRuleStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// NotificationRuleList contains a list of NotificationRule.
type NotificationRuleList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []NotificationRule `json:"items"`
}

// FollowSpec is one person's subscription to one Role. It holds only what
// delivery needs.
type FollowSpec struct {
	// subscriber is the username of the person who follows; the admission
	// policy requires it to be the creating user, and only they (or the
	// operator, on a one-click unsubscribe) delete it. Immutable.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="subscriber is immutable"
	// +required
	Subscriber Username `json:"subscriber"`

	// roleRef is the Role followed, in this namespace. Immutable.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="roleRef is immutable: follow the other Role instead"
	// +required
	RoleRef ObjectName `json:"roleRef"`

	// email is where the messages go. Default: the subscriber's username
	// when it is an address, else username@ the provider's userDomain.
	// +kubebuilder:validation:MaxLength=254
	// +kubebuilder:validation:Pattern=`^[^\s<>@"]+@[^\s<>@"]+$`
	// +optional
	Email string `json:"email,omitempty"`

	// delivery: Instant (the default) or a daily Digest at an hour in a
	// time zone (UTC unless set).
	// +optional
	Delivery *DeliverySchedule `json:"delivery,omitempty"`

	// locale of the messages: en (the default) or zh-CN.
	// +optional
	Locale Locale `json:"locale,omitempty"`

	// events to tell; default Opened, DeadlineNear, Decided, Applied and
	// Reverted.
	// +listType=set
	// +kubebuilder:validation:MaxItems=7
	// +optional
	Events []NotificationEvent `json:"events,omitempty"`
}

// FollowStatus is the observed state of a Follow.
type FollowStatus struct {
	// observedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready (messages go through), Reconciling, Stalled.
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// provider is the NotificationProvider that delivers it.
	// +optional
	Provider ObjectName `json:"provider,omitempty"`

	// outbox is the record of what the follower is told.
	// +optional
	Outbox *Outbox `json:"outbox,omitempty"`

	// unsubscribeToken makes the one-click unsubscribe link of its mail
	// (RFC 8058): whoever holds the link may delete this Follow.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	UnsubscribeToken string `json:"unsubscribeToken,omitempty"`
}

// Follow is one person's subscription to the Proposals of one Role, by
// email, instant or as a daily digest. Create it as yourself (kubectl
// skillmatrix follow, or the portal); the admission policy refuses a
// Follow in anyone else's name.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=cfollow,categories=career
// +kubebuilder:printcolumn:name="Role",type=string,JSONPath=`.spec.roleRef`
// +kubebuilder:printcolumn:name="Subscriber",type=string,JSONPath=`.spec.subscriber`
// +kubebuilder:printcolumn:name="Mode",type=string,JSONPath=`.spec.delivery.mode`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Follow struct {
	metav1.TypeMeta `json:",inline"`

	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// +required
	Spec FollowSpec `json:"spec"`

	// +optional
	Status FollowStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// FollowList contains a list of Follow.
type FollowList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []Follow `json:"items"`
}

// The kinds register themselves, so adding them left groupversion_info.go
// as it was.
func init() {
	SchemeBuilder.Register(func(scheme *runtime.Scheme) error {
		scheme.AddKnownTypes(SchemeGroupVersion, &NotificationProvider{}, &NotificationProviderList{},
			&NotificationRule{}, &NotificationRuleList{}, &Follow{}, &FollowList{})
		return nil
	})
}
