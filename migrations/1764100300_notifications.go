package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"studyhall/collections"
)

// The notification engine: the inbox, each user's preferences, and two
// superusers-only collections the server keeps for itself.
//
// Who sees what:
//   - a user lists and views only their own notifications, and only until
//     they expire (the rule compares expiresAt with @now, so expiry hides
//     at once); nobody but the server creates, updates or deletes them:
//     reading and archiving go through /api/notifications routes;
//   - a user views and updates their own preferences, never the user field;
//     the row is created with the user;
//   - notification_holds (held back by quiet hours) and notification_emails
//     (email-only notifications, account_deleted included) are superusers
//     only.
//
// A held notification lives in notification_holds, not in notifications,
// so that it is invisible and releasing it is a real record create, which
// every realtime client sees as a `create` event.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(collections.Users)
		if err != nil {
			return err
		}

		// --- notifications
		notifications := core.NewBaseCollection(collections.Notifications)
		ownUnexpired := "user = @request.auth.id && (expiresAt = '' || expiresAt > @now)"
		notifications.ListRule = rule(ownUnexpired)
		notifications.ViewRule = rule(ownUnexpired)
		notifications.CreateRule = superusersOnly
		notifications.UpdateRule = superusersOnly
		notifications.DeleteRule = superusersOnly
		notifications.Fields.Add(relation(collections.NotificationUser, users.Id, true, true))
		addNotificationPayload(notifications)
		notifications.Fields.Add(
			&core.DateField{Name: collections.NotificationReadAt},
			&core.DateField{Name: collections.NotificationArchivedAt},
		)
		addTimestamps(notifications)
		notifications.AddIndex("idx_notifications_user_dedupe", true, "user, dedupeKey", "dedupeKey != ''")
		notifications.AddIndex("idx_notifications_user_created", false, "user, created", "")
		notifications.AddIndex("idx_notifications_user_unread", false, "user, readAt", "")
		notifications.AddIndex("idx_notifications_expires", false, "expiresAt", "expiresAt != ''")
		notifications.AddIndex("idx_notifications_email_due", false, "emailMode, emailedAt", "")
		if err := app.Save(notifications); err != nil {
			return err
		}

		// --- notification_holds
		holds := core.NewBaseCollection(collections.NotificationHolds)
		holds.ListRule = superusersOnly
		holds.ViewRule = superusersOnly
		holds.CreateRule = superusersOnly
		holds.UpdateRule = superusersOnly
		holds.DeleteRule = superusersOnly
		holds.Fields.Add(relation(collections.NotificationUser, users.Id, true, true))
		addNotificationPayload(holds)
		holds.Fields.Add(&core.DateField{Name: collections.HoldReleaseAt, Required: true})
		addTimestamps(holds)
		holds.AddIndex("idx_notification_holds_user_dedupe", true, "user, dedupeKey", "dedupeKey != ''")
		holds.AddIndex("idx_notification_holds_release", false, "releaseAt", "")
		holds.AddIndex("idx_notification_holds_user", false, "user", "")
		if err := app.Save(holds); err != nil {
			return err
		}

		// --- notification_emails: the user relation is emptied, never
		// cascaded, when the user is deleted: the address stays
		emails := core.NewBaseCollection(collections.NotificationEmails)
		emails.ListRule = superusersOnly
		emails.ViewRule = superusersOnly
		emails.CreateRule = superusersOnly
		emails.UpdateRule = superusersOnly
		emails.DeleteRule = superusersOnly
		emails.Fields.Add(
			relation(collections.NotificationUser, users.Id, false, false),
			&core.EmailField{Name: collections.NotificationEmailAddress, Required: true},
			&core.TextField{Name: collections.NotificationEmailName, Max: collections.MaxNameLength},
		)
		addNotificationPayload(emails)
		addTimestamps(emails)
		emails.AddIndex("idx_notification_emails_email_dedupe", true, "email, dedupeKey", "dedupeKey != ''")
		emails.AddIndex("idx_notification_emails_due", false, "emailMode, emailedAt", "")
		if err := app.Save(emails); err != nil {
			return err
		}

		// --- notification_preferences
		preferences := core.NewBaseCollection(collections.NotificationPreferences)
		preferences.ListRule = rule("user = @request.auth.id")
		preferences.ViewRule = rule("user = @request.auth.id")
		preferences.CreateRule = superusersOnly
		preferences.UpdateRule = rule("user = @request.auth.id && @request.body.user:isset = false")
		preferences.DeleteRule = superusersOnly
		preferences.Fields.Add(
			relation(collections.PreferenceUser, users.Id, true, true),
			&core.BoolField{Name: collections.PreferenceInAppEnabled},
			&core.BoolField{Name: collections.PreferenceEmailEnabled},
			&core.SelectField{Name: collections.PreferenceEmailDigest, Values: collections.EmailDigests, MaxSelect: 1},
			&core.JSONField{Name: collections.PreferenceCategories, MaxSize: 16 << 10},
			&core.JSONField{Name: collections.PreferenceTypes, MaxSize: 64 << 10},
			&core.TextField{Name: collections.PreferenceQuietHoursStart, Max: 5},
			&core.TextField{Name: collections.PreferenceQuietHoursEnd, Max: 5},
			&core.BoolField{Name: collections.PreferenceQuietHoursUrgent},
			&core.TextField{Name: collections.PreferenceTimezone, Max: 64},
		)
		addTimestamps(preferences)
		preferences.AddIndex("idx_notification_preferences_user", true, "user", "")
		if err := app.Save(preferences); err != nil {
			return err
		}

		// users who signed up before this migration get the defaults
		_, err = app.DB().NewQuery(`INSERT INTO notification_preferences
			(id, user, inAppEnabled, emailEnabled, emailDigest, categories, types, quietHoursUrgent, created, updated)
			SELECT 'n' || lower(hex(randomblob(7))), u.id, TRUE, TRUE, 'daily', '{}', '{}', TRUE,
				strftime('%Y-%m-%d %H:%M:%fZ'), strftime('%Y-%m-%d %H:%M:%fZ')
			FROM users u`).Execute()
		return err
	}, func(app core.App) error {
		return deleteCollections(app,
			collections.NotificationPreferences,
			collections.NotificationEmails,
			collections.NotificationHolds,
			collections.Notifications,
		)
	})
}

// addNotificationPayload adds the fields a notification carries wherever it
// waits: in the inbox, held back, or as an email-only notification.
func addNotificationPayload(c *core.Collection) {
	c.Fields.Add(
		&core.SelectField{Name: collections.NotificationType, Required: true, Values: collections.NotificationTypes(), MaxSelect: 1},
		&core.SelectField{Name: collections.NotificationCategory, Required: true, Values: collections.NotificationCategories, MaxSelect: 1},
		&core.SelectField{Name: collections.NotificationPriority, Required: true, Values: collections.NotificationPriorities, MaxSelect: 1},
		&core.TextField{Name: collections.NotificationTitle, Required: true, Max: collections.MaxNotificationTitleLength},
		&core.TextField{Name: collections.NotificationMessage, Max: collections.MaxNotificationMessageLength},
		&core.JSONField{Name: collections.NotificationData, MaxSize: 64 << 10},
		&core.TextField{Name: collections.NotificationActionURL, Max: collections.MaxActionURLLength},
		&core.TextField{Name: collections.NotificationActionText, Max: collections.MaxActionTextLength},
		&core.DateField{Name: collections.NotificationExpiresAt},
		&core.TextField{Name: collections.NotificationDedupeKey, Max: collections.MaxDedupeKeyLength},
		&core.TextField{Name: collections.NotificationRelatedCollection, Max: 100},
		&core.TextField{Name: collections.NotificationRelatedId, Max: 100},
		&core.SelectField{Name: collections.NotificationEmailMode, Values: collections.EmailModes, MaxSelect: 1},
		&core.DateField{Name: collections.NotificationEmailedAt},
	)
}
