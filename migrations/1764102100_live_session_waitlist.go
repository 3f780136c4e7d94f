package migrations

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
)

// The waitlist of a full live session.
//
// A waiting user is an attendance row that is not active and has a
// waitlistPosition (1..N in join order; 0 when not waiting) and a
// waitlistedAt. firstJoinedAt (backfilled from created) is when the user
// first took a seat, for the attendance export. The row is the one a seat later reuses, so the rules of
// live_session_attendees already say who sees it: that user and the
// session's instructor; nobody but the server writes it. A session keeps
// waitlistCount beside attendeeCount, both derived on every save.
//
// The notification types of notifications, notification_holds and
// notification_emails follow the catalog again: it gained
// live_session_waitlist_promoted.
func init() {
	m.Register(func(app core.App) error {
		attendees, err := app.FindCollectionByNameOrId(collections.LiveSessionAttendees)
		if err != nil {
			return err
		}
		attendees.Fields.Add(
			&core.NumberField{Name: collections.AttendeeWaitlistPosition, OnlyInt: true, Min: types.Pointer(0.0)},
			&core.DateField{Name: collections.AttendeeWaitlistedAt},
			&core.DateField{Name: collections.AttendeeFirstJoinedAt},
		)
		attendees.AddIndex("idx_live_session_attendees_waitlist", false, "session, waitlistPosition", "waitlistPosition > 0")
		if err := app.Save(attendees); err != nil {
			return err
		}
		// before the waitlist a row was made by its user's first join
		if _, err := app.DB().NewQuery("UPDATE {{live_session_attendees}} SET [[firstJoinedAt]] = [[created]] WHERE [[joinedAt]] != ''").Execute(); err != nil {
			return err
		}

		sessions, err := app.FindCollectionByNameOrId(collections.LiveSessions)
		if err != nil {
			return err
		}
		sessions.Fields.Add(&core.NumberField{Name: collections.LiveSessionWaitlistCount, OnlyInt: true, Min: types.Pointer(0.0)})
		if err := app.Save(sessions); err != nil {
			return err
		}
		return setWaitlistNotificationTypes(app, collections.NotificationTypes())
	}, func(app core.App) error {
		types := slices.DeleteFunc(collections.NotificationTypes(), func(t string) bool {
			return t == collections.TypeLiveSessionWaitlistPromoted
		})
		if err := setWaitlistNotificationTypes(app, types); err != nil {
			return err
		}
		sessions, err := app.FindCollectionByNameOrId(collections.LiveSessions)
		if err != nil {
			return err
		}
		sessions.Fields.RemoveByName(collections.LiveSessionWaitlistCount)
		if err := app.Save(sessions); err != nil {
			return err
		}
		attendees, err := app.FindCollectionByNameOrId(collections.LiveSessionAttendees)
		if err != nil {
			return err
		}
		attendees.RemoveIndex("idx_live_session_attendees_waitlist")
		attendees.Fields.RemoveByName(collections.AttendeeWaitlistPosition)
		attendees.Fields.RemoveByName(collections.AttendeeWaitlistedAt)
		attendees.Fields.RemoveByName(collections.AttendeeFirstJoinedAt)
		return app.Save(attendees)
	})
}

// setWaitlistNotificationTypes sets the values of the type field wherever a
// notification waits.
func setWaitlistNotificationTypes(app core.App, values []string) error {
	for _, name := range []string{collections.Notifications, collections.NotificationHolds, collections.NotificationEmails} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return err
		}
		field, ok := c.Fields.GetByName(collections.NotificationType).(*core.SelectField)
		if !ok {
			continue
		}
		field.Values = values
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}
