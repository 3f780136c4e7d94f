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
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

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

// ---------------------------------------------------------------------
// quiet-hours release and expiry

// ReleaseHolds re-decides the held notifications of one user at now, under
// their current preferences: those no longer held become notifications
// (realtime create events after commit), those still held get the new
// window's end as release time, and expired ones are dropped. It returns
// how many were released.
func ReleaseHolds(app core.App, userId string, now time.Time) (int, error) {
	var released []*core.Record
	err := app.RunInTransaction(func(txApp core.App) error {
		holds, err := txApp.FindRecordsByFilter(collections.NotificationHolds,
			"user = {:user}", "created", 0, 0, dbx.Params{"user": userId})
		if err != nil || len(holds) == 0 {
			return err
		}
		users, err := loadRecipients(txApp, []string{userId})
		if err != nil {
			return err
		}
		preferences := DefaultPreferences()
		if r, ok := users[userId]; ok {
			preferences = r.preferences
		}

		var rows []map[string]any
		var done []string
		stamp := records.FormatTime(now)
		for _, hold := range holds {
			expiresAt := hold.GetDateTime(collections.NotificationExpiresAt)
			if !expiresAt.IsZero() && !expiresAt.Time().After(now) {
				done = append(done, hold.Id)
				continue
			}
			if stillHeld, until := Hold(preferences, hold.GetString(collections.NotificationPriority), now); stillHeld {
				if !hold.GetDateTime(collections.HoldReleaseAt).Time().Equal(until) {
					_, err := txApp.DB().Update(collections.NotificationHolds,
						dbx.Params{collections.HoldReleaseAt: records.FormatTime(until)},
						dbx.HashExp{collections.FieldId: hold.Id}).Execute()
					if err != nil {
						return err
					}
				}
				continue
			}
			row := map[string]any{
				collections.FieldId:                hold.Id,
				collections.NotificationUser:       userId,
				collections.NotificationReadAt:     "",
				collections.NotificationArchivedAt: "",
				collections.FieldCreated:           stamp,
				collections.FieldUpdated:           stamp,
			}
			for _, field := range payloadFields {
				row[field] = dbString(hold, field)
			}
			rows = append(rows, row)
			done = append(done, hold.Id)
		}

		if len(done) > 0 {
			_, err := txApp.DB().Delete(collections.NotificationHolds, dbx.In(collections.FieldId, records.Any(done)...)).Execute()
			if err != nil {
				return err
			}
		}
		released, err = insertRecords(txApp, collections.Notifications, rows)
		if err != nil {
			return err
		}
		Publish(txApp, realtime.ActionCreate, released)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("release holds of %s: %w", userId, err)
	}
	return len(released), nil
}

// ReleaseDue releases every held notification whose window has ended by
// now, one user at a time; it is the minute job. Errors of one user do not
// stop the others.
func ReleaseDue(app core.App, now time.Time) (int, error) {
	var userIds []string
	err := app.DB().Select(collections.NotificationUser).Distinct(true).From(collections.NotificationHolds).
		Where(dbx.NewExp("[[releaseAt]] <= {:now}", dbx.Params{"now": records.FormatTime(now)})).
		Column(&userIds)
	if err != nil {
		return 0, fmt.Errorf("find due holds: %w", err)
	}
	total := 0
	var errs []error
	for _, userId := range userIds {
		n, err := ReleaseHolds(app, userId, now)
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

// HeldCount counts a user's unexpired held notifications.
func HeldCount(app core.App, userId string, now time.Time) (int, error) {
	var count int
	err := app.DB().Select("COUNT(*)").From(collections.NotificationHolds).
		Where(dbx.HashExp{collections.NotificationUser: userId}).
		AndWhere(dbx.NewExp("([[expiresAt]] = '' OR [[expiresAt]] > {:now})", dbx.Params{"now": records.FormatTime(now)})).
		Row(&count)
	return count, err
}

// DeleteExpired deletes expired notifications and holds; it is the daily
// job (the list rule has hidden them since they expired).
func DeleteExpired(app core.App, now time.Time) (int64, error) {
	var total int64
	for _, table := range []string{collections.Notifications, collections.NotificationHolds} {
		res, err := app.DB().Delete(table, dbx.NewExp(
			"[[expiresAt]] != '' AND [[expiresAt]] <= {:now}", dbx.Params{"now": records.FormatTime(now)})).Execute()
		if err != nil {
			return total, fmt.Errorf("delete expired %s: %w", table, err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
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

// ---------------------------------------------------------------------
// queries

// payloadFields are the fields a notification carries wherever it waits.
var payloadFields = []string{
	collections.NotificationType,
	collections.NotificationCategory,
	collections.NotificationPriority,
	collections.NotificationTitle,
	collections.NotificationMessage,
	collections.NotificationData,
	collections.NotificationActionURL,
	collections.NotificationActionText,
	collections.NotificationExpiresAt,
	collections.NotificationDedupeKey,
	collections.NotificationRelatedCollection,
	collections.NotificationRelatedId,
	collections.NotificationEmailMode,
	collections.NotificationEmailedAt,
}

type recipient struct {
	email       string
	name        string
	preferences Preferences
}

type recipientRow struct {
	Id               string `db:"id"`
	Email            string `db:"email"`
	Name             string `db:"name"`
	UserTimezone     string `db:"userTimezone"`
	PreferenceId     string `db:"preferenceId"`
	InAppEnabled     bool   `db:"inAppEnabled"`
	EmailEnabled     bool   `db:"emailEnabled"`
	EmailDigest      string `db:"emailDigest"`
	Categories       string `db:"categories"`
	Types            string `db:"types"`
	QuietHoursStart  string `db:"quietHoursStart"`
	QuietHoursEnd    string `db:"quietHoursEnd"`
	QuietHoursUrgent bool   `db:"quietHoursUrgent"`
	Timezone         string `db:"timezone"`
}

// chunkSize bounds the ids of one IN (...) list.
const chunkSize = 200

// loadRecipients reads the users and their preferences, a chunk of ids per
// query; a user without a preferences row has the defaults.
func loadRecipients(app core.App, userIds []string) (map[string]recipient, error) {
	result := make(map[string]recipient, len(userIds))
	for start := 0; start < len(userIds); start += chunkSize {
		chunk := userIds[start:min(start+chunkSize, len(userIds))]
		placeholders, params := inList("u", chunk)
		var rows []recipientRow
		err := app.DB().NewQuery(`SELECT u.id AS id, u.email AS email, u.name AS name,
				u.timezone AS userTimezone,
				COALESCE(p.id, '') AS preferenceId,
				COALESCE(p.inAppEnabled, 1) AS inAppEnabled,
				COALESCE(p.emailEnabled, 1) AS emailEnabled,
				COALESCE(p.emailDigest, '') AS emailDigest,
				COALESCE(p.categories, '') AS categories,
				COALESCE(p.types, '') AS types,
				COALESCE(p.quietHoursStart, '') AS quietHoursStart,
				COALESCE(p.quietHoursEnd, '') AS quietHoursEnd,
				COALESCE(p.quietHoursUrgent, 1) AS quietHoursUrgent,
				COALESCE(p.timezone, '') AS timezone
			FROM ` + collections.Users + ` u
			LEFT JOIN ` + collections.NotificationPreferences + ` p ON p.user = u.id
			WHERE u.id IN (` + placeholders + `)`).Bind(params).All(&rows)
		if err != nil {
			return nil, fmt.Errorf("load recipients: %w", err)
		}
		for _, row := range rows {
			result[row.Id] = recipient{email: row.Email, name: row.Name, preferences: row.preferences()}
		}
	}
	return result, nil
}

// PreferencesOf is a user's current preferences, read in one query: the
// defaults when the user has no preferences row (or is unknown), and when
// the read fails, with its error.
func PreferencesOf(app core.App, userId string) (Preferences, error) {
	recipients, err := loadRecipients(app, []string{userId})
	if err != nil {
		return DefaultPreferences(), err
	}
	if r, ok := recipients[userId]; ok {
		return r.preferences, nil
	}
	return DefaultPreferences(), nil
}

func (row recipientRow) preferences() Preferences {
	p := DefaultPreferences()
	if row.UserTimezone != "" {
		p.Timezone = row.UserTimezone
	}
	if row.PreferenceId == "" {
		return p
	}
	p.InAppEnabled = row.InAppEnabled
	p.EmailEnabled = row.EmailEnabled
	if row.EmailDigest != "" {
		p.EmailDigest = row.EmailDigest
	}
	p.Categories, _ = ParseSwitches([]byte(row.Categories))
	p.Types, _ = ParseSwitches([]byte(row.Types))
	p.QuietHoursStart = row.QuietHoursStart
	p.QuietHoursEnd = row.QuietHoursEnd
	p.QuietHoursUrgent = row.QuietHoursUrgent
	if row.Timezone != "" {
		p.Timezone = row.Timezone
	}
	return p
}

// findDuplicates returns the recipients who already have a notification
// with dedupeKey, delivered, held or email-only.
func findDuplicates(app core.App, dedupeKey string, userIds []string) (map[string]bool, error) {
	duplicates := map[string]bool{}
	if dedupeKey == "" {
		return duplicates, nil
	}
	for start := 0; start < len(userIds); start += chunkSize {
		chunk := userIds[start:min(start+chunkSize, len(userIds))]
		placeholders, params := inList("u", chunk)
		params["dedupeKey"] = dedupeKey
		var found []string
		var parts []string
		for _, table := range []string{collections.Notifications, collections.NotificationHolds, collections.NotificationEmails} {
			parts = append(parts, "SELECT [[user]] FROM {{"+table+"}} WHERE [[dedupeKey]] = {:dedupeKey} AND [[user]] IN ("+placeholders+")")
		}
		if err := app.DB().NewQuery(strings.Join(parts, " UNION ")).Bind(params).Column(&found); err != nil {
			return nil, fmt.Errorf("find duplicates: %w", err)
		}
		for _, id := range found {
			duplicates[id] = true
		}
	}
	return duplicates, nil
}

// insertRecords writes rows into collection with one prepared INSERT (the
// fastest way through SQLite: multi-row INSERTs pay for parsing and for
// binding named parameters, which grows quadratically) and returns them as
// records. It bypasses the record hooks on purpose: the
// rows are built by the server, and realtime delivery is the fan-out's.
func insertRecords(app core.App, collectionName string, rows []map[string]any) ([]*core.Record, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	collection, err := app.FindCachedCollectionByNameOrId(collectionName)
	if err != nil {
		return nil, err
	}
	columns := make([]string, 0, len(rows[0]))
	for column := range rows[0] {
		columns = append(columns, column)
	}
	slices.Sort(columns)
	quoted := make([]string, len(columns))
	for i, column := range columns {
		quoted[i] = "[[" + column + "]]"
	}

	placeholders := make([]string, len(columns))
	for i, column := range columns {
		placeholders[i] = "{:" + column + "}"
	}
	query := app.DB().NewQuery("INSERT INTO {{" + collectionName + "}} (" + strings.Join(quoted, ",") +
		") VALUES (" + strings.Join(placeholders, ",") + ")").Prepare()
	defer query.Close()
	for _, row := range rows {
		// Bind keeps the first map it is given and copies later ones into
		// it, so each row is bound as a copy: rows stay what was written
		if _, err := query.Bind(maps.Clone(dbx.Params(row))).Execute(); err != nil {
			return nil, fmt.Errorf("insert %s: %w", collectionName, err)
		}
	}

	records := make([]*core.Record, len(rows))
	for i, row := range rows {
		record := core.NewRecord(collection)
		for column, value := range row {
			switch column {
			case collections.NotificationData:
				record.Set(column, types.JSONRaw(value.(string)))
			case collections.FieldCreated, collections.FieldUpdated:
				// autodate fields ignore Set; the row's stamps are the truth
				stamp, _ := types.ParseDateTime(value)
				record.SetRaw(column, stamp)
			default:
				record.Set(column, value)
			}
		}
		record.MarkAsNotNew()
		records[i] = record
	}
	return records, nil
}

// dbString is the database form of a field of record.
func dbString(record *core.Record, field string) string {
	switch value := record.Get(field).(type) {
	case types.DateTime:
		if value.IsZero() {
			return ""
		}
		return value.String()
	case types.JSONRaw:
		if len(value) == 0 {
			return "{}"
		}
		return string(value)
	default:
		return record.GetString(field)
	}
}

func inList(prefix string, ids []string) (string, dbx.Params) {
	params := make(dbx.Params, len(ids)+1)
	placeholders := make([]string, len(ids))
	for i, id := range ids {
		name := prefix + strconv.Itoa(i)
		placeholders[i] = "{:" + name + "}"
		params[name] = id
	}
	return strings.Join(placeholders, ","), params
}

func uniqueIds(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	result := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			result = append(result, id)
		}
	}
	return result
}
