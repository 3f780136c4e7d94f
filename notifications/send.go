// Package notifications is the one entry point every domain uses to notify users
// (Send), plus the plain functions it stands on: preference resolution and
// quiet-hours arithmetic.
//
// Where a notification goes, per recipient:
//   - in-app on, outside quiet hours (or urgent and let through): a row in
//     notifications, delivered at once as a realtime create event;
//   - in-app on, inside quiet hours: a row in notification_holds, invisible
//     to the user, moved into notifications when the window ends
//     (ReleaseDue, each minute) or when the user's preferences change
//     (ReleaseHolds);
//   - in-app off (or an email-only kind such as account_deleted) with email
//     on: a row in notification_emails;
//   - both off: nothing.
//
// Each row records its email decision (emailMode, emailedAt empty) for the
// email worker. Everything one Send writes is written in one transaction,
// the caller's when it is given a txApp; realtime delivery happens after
// that transaction commits.
package notifications

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/plaintext"
	"studyhall/realtime"
	"studyhall/records"
)

// Notification is one trigger: what to say, and to whom.
type Notification struct {
	// Type is a type of collections.NotificationCatalog.
	Type string
	// Recipients are user ids; duplicates and unknown ids are skipped.
	Recipients []string
	// Priority overrides the catalog's default when set.
	Priority   string
	Title      string
	Message    string
	Data       map[string]any
	ActionURL  string
	ActionText string
	// DedupeKey makes the trigger idempotent: a recipient who already has
	// a notification (delivered, held or email-only) with this key gets
	// nothing new.
	DedupeKey         string
	RelatedCollection string
	RelatedId         string
	// ExpiresAt, when set, hides the notification from then on.
	ExpiresAt time.Time
}

// Result says what became of each recipient of a Send.
type Result struct {
	// Delivered are the new notifications records.
	Delivered []*core.Record
	// Held are the new notification_holds records.
	Held []*core.Record
	// EmailOnly are the new notification_emails records.
	EmailOnly []*core.Record
	// Skipped counts recipients who got nothing: duplicates, unknown
	// users, or every channel off.
	Skipped int
}

// Key is a dedupe key: the notification type and what makes this one
// distinct (ids, a time window), joined by colons, as in
// Key(collections.TypeNewLesson, lessonId).
func Key(notificationType string, parts ...string) string {
	return strings.Join(append([]string{notificationType}, parts...), ":")
}

// Send notifies each recipient under their preferences, in one
// transaction (the caller's, when app is a txApp). Realtime create events
// go out after that transaction commits.
func Send(app core.App, n Notification) (*Result, error) {
	kind, ok := collections.LookupNotificationKind(n.Type)
	if !ok {
		return nil, fmt.Errorf("notify: unknown notification type %q", n.Type)
	}
	priority := n.Priority
	if priority == "" {
		priority = kind.Priority
	}
	if !slices.Contains(collections.NotificationPriorities, priority) {
		return nil, fmt.Errorf("notify: unknown priority %q", priority)
	}
	data, err := json.Marshal(n.Data)
	if err != nil {
		return nil, fmt.Errorf("notify: marshal data: %w", err)
	}
	if n.Data == nil {
		data = []byte("{}")
	}

	recipients := uniqueIds(n.Recipients)
	result := &Result{}
	if len(recipients) == 0 {
		return result, nil
	}

	now := time.Now().UTC()
	err = app.RunInTransaction(func(txApp core.App) error {
		users, err := loadRecipients(txApp, recipients)
		if err != nil {
			return err
		}
		duplicates, err := findDuplicates(txApp, n.DedupeKey, recipients)
		if err != nil {
			return err
		}

		var delivered, held, emailOnly []map[string]any
		for _, userId := range recipients {
			r, ok := users[userId]
			if !ok || duplicates[userId] {
				result.Skipped++
				continue
			}
			channels := ResolveChannels(r.preferences, kind)
			emailMode := EmailMode(r.preferences, kind, channels)
			row := n.row(userId, kind, priority, emailMode, string(data), now)
			if !channels.InApp {
				if emailMode == collections.EmailModeNone {
					result.Skipped++
					continue
				}
				row[collections.NotificationEmailAddress] = r.email
				row[collections.NotificationEmailName] = r.name
				emailOnly = append(emailOnly, row)
				continue
			}
			if hold, until := Hold(r.preferences, priority, now); hold {
				row[collections.HoldReleaseAt] = records.FormatTime(until)
				held = append(held, row)
				continue
			}
			row[collections.NotificationReadAt] = ""
			row[collections.NotificationArchivedAt] = ""
			delivered = append(delivered, row)
		}

		if result.Delivered, err = insertRecords(txApp, collections.Notifications, delivered); err != nil {
			return err
		}
		if result.Held, err = insertRecords(txApp, collections.NotificationHolds, held); err != nil {
			return err
		}
		if result.EmailOnly, err = insertRecords(txApp, collections.NotificationEmails, emailOnly); err != nil {
			return err
		}
		Publish(txApp, realtime.ActionCreate, result.Delivered)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("notify %s: %w", n.Type, err)
	}
	return result, nil
}

// row is the database row of n for one user, without the fields that
// depend on where it goes.
func (n Notification) row(userId string, kind collections.NotificationKind, priority, emailMode, data string, now time.Time) map[string]any {
	var expiresAt string
	if !n.ExpiresAt.IsZero() {
		expiresAt = records.FormatTime(n.ExpiresAt)
	}
	stamp := records.FormatTime(now)
	return map[string]any{
		collections.FieldId:                       core.GenerateDefaultRandomId(),
		collections.NotificationUser:              userId,
		collections.NotificationType:              kind.Type,
		collections.NotificationCategory:          kind.Category,
		collections.NotificationPriority:          priority,
		collections.NotificationTitle:             plaintext.Clip(plaintext.Clean(n.Title), collections.MaxNotificationTitleLength),
		collections.NotificationMessage:           plaintext.Clip(plaintext.Clean(n.Message), collections.MaxNotificationMessageLength),
		collections.NotificationData:              data,
		collections.NotificationActionURL:         plaintext.Clip(n.ActionURL, collections.MaxActionURLLength),
		collections.NotificationActionText:        plaintext.Clip(plaintext.Clean(n.ActionText), collections.MaxActionTextLength),
		collections.NotificationExpiresAt:         expiresAt,
		collections.NotificationDedupeKey:         plaintext.Clip(n.DedupeKey, collections.MaxDedupeKeyLength),
		collections.NotificationRelatedCollection: n.RelatedCollection,
		collections.NotificationRelatedId:         n.RelatedId,
		collections.NotificationEmailMode:         emailMode,
		collections.NotificationEmailedAt:         "",
		collections.FieldCreated:                  stamp,
		collections.FieldUpdated:                  stamp,
	}
}

// Publish sends realtime events for notifications records, after the
// transaction of app commits when there is one: Send's own, and those of
// records changed outside a Send (read, archive).
func Publish(app core.App, action string, records []*core.Record) {
	if len(records) == 0 {
		return
	}
	events := make([]realtime.Event, len(records))
	for i, record := range records {
		events[i] = realtime.Event{
			UserId: record.GetString(collections.NotificationUser),
			Action: action,
			Record: record,
		}
	}
	fanout := realtime.Get(app)
	if txInfo := app.TxInfo(); txInfo != nil {
		txInfo.OnComplete(func(txErr error) error {
			if txErr == nil {
				fanout.Publish(events...)
			}
			return nil
		})
		return
	}
	fanout.Publish(events...)
}
