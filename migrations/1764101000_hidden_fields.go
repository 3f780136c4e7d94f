package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"studyhall/collections"
)

// Hidden fields: every field that some caller who can list its record may
// not read is Hidden in the schema. PocketBase then refuses it in `filter`
// and `sort` to everyone but superusers (the same 400 whatever the value),
// and in realtime subscription filters, while API rules still use it. The
// hooks unhide it, in OnRecordEnrich, for the callers who may read it:
//
//   - users.timezone, users.allowDirectMessages: the user themselves;
//   - presence.manualStatus: the user themselves;
//   - presence.activity: the user themselves, and everyone while the user
//     does not show as offline;
//   - office_hours_queue.instructorNotes: the entry's instructor, and its
//     student once notesShared is set.
//
// (live_sessions.reminderSentFor and chat_rooms.directKey were Hidden from
// the start: nobody but superusers reads them.)
func init() {
	m.Register(func(app core.App) error {
		return setHidden(app, true)
	}, func(app core.App) error {
		return setHidden(app, false)
	})
}

// hiddenFields are the fields this migration hides, by collection.
var hiddenFields = []struct {
	collection string
	fields     []string
}{
	{collections.Users, []string{collections.UserTimezone, collections.UserAllowDirectMessages}},
	{collections.Presence, []string{collections.PresenceManualStatus, collections.PresenceActivity}},
	{collections.OfficeHoursQueue, []string{collections.QueueInstructorNotes}},
}

func setHidden(app core.App, hidden bool) error {
	for _, h := range hiddenFields {
		c, err := app.FindCollectionByNameOrId(h.collection)
		if err != nil {
			return err
		}
		for _, name := range h.fields {
			field := c.Fields.GetByName(name)
			if field == nil {
				return fmt.Errorf("%s has no field %q", h.collection, name)
			}
			field.SetHidden(hidden)
		}
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}
