package collections

// Collection names of email delivery.
const (
	// EmailOutbox holds every email studyhall sends (superusers only): a row
	// is written in the same transaction as its cause and a worker sends it.
	EmailOutbox = "email_outbox"
	// EmailDigestPeriods records which digest period each user already got
	// (superusers only), unique per (user, period), so a digest goes out
	// once even when the job runs twice or across restarts.
	EmailDigestPeriods = "email_digests"
)

// Fields of email_outbox.
const (
	OutboxTo      = "to"
	OutboxToName  = "toName"
	OutboxSubject = "subject"
	OutboxHTML    = "html"
	OutboxText    = "text"
	// OutboxHeaders is a JSON object of extra headers (List-Unsubscribe).
	OutboxHeaders = "headers"
	OutboxKind    = "kind"
	// OutboxUserId is the recipient's user id, a plain text field so the
	// row outlives the user (account_deleted).
	OutboxUserId        = "userId"
	OutboxStatus        = "status"
	OutboxAttempts      = "attempts"
	OutboxNextAttemptAt = "nextAttemptAt"
	// OutboxClaimedUntil is the lease of the worker sending the row: while
	// it lies in the future nobody else may claim the row; once it passes
	// (the worker crashed mid-send) the row is due again.
	OutboxClaimedUntil = "claimedUntil"
	OutboxLastError    = "lastError"
	OutboxSentAt       = "sentAt"
	// OutboxDedupeKey is unique where set: a cause queues its email once.
	OutboxDedupeKey = "dedupeKey"
)

// Limits of outbox rows, in the schema and where the code clips to them.
const (
	MaxOutboxSubjectLength = 500
	MaxOutboxErrorLength   = 2000
)

// Outbox statuses.
const (
	OutboxPending   = "pending"
	OutboxSent      = "sent"
	OutboxFailed    = "failed"
	OutboxCancelled = "cancelled"
)

// OutboxStatuses lists every outbox status, the first being the default.
var OutboxStatuses = []string{OutboxPending, OutboxSent, OutboxFailed, OutboxCancelled}

// Email kinds: which template renders a row, and whether it is mandatory.
const (
	EmailKindNotification   = "notification"
	EmailKindDigest         = "digest"
	EmailKindTest           = "test"
	EmailKindAccountDeleted = "account_deleted"
	// EmailKindAuth is PocketBase's own auth mails: verification, password
	// reset, OTP, email change and login alerts.
	EmailKindAuth = "auth"
)

// Fields of email_digests.
const (
	DigestUser = "user"
	// DigestPeriod is the period key, e.g. "daily:2026-11-01" or
	// "weekly:2026-10-26" (the Monday), in the user's zone.
	DigestPeriod = "period"
	// DigestOutbox is the id of the outbox row that carries the digest.
	DigestOutbox = "outbox"
	// DigestCount is how many notifications the digest listed.
	DigestCount = "count"
)

// Unsubscribe scopes besides the categories.
const (
	UnsubscribeAll = "all"
)

// MaxEmailBodyLength bounds the rendered HTML and text of an outbox row.
const MaxEmailBodyLength = 1 << 20
