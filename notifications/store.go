package notifications

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
)

// The queries of the engine: recipients with their preferences, dedupe
// lookups and the bulk inserts of Send and the release, a chunk of ids per
// statement.

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
