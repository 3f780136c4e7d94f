package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"studyhall/collections"
)

// users.calendarKey: the version of the user's personal calendar feed
// link. The feed's signed token carries it and must match it, so that
// making a new link (a new key) revokes the old one. It is Hidden: no
// caller reads it, filters or sorts by it, and PocketBase drops it from a
// non-superuser's record body, so only the server's calendar routes write
// it. Users who have none get one on first use of the feed.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(collections.Users)
		if err != nil {
			return err
		}
		users.Fields.Add(&core.TextField{Name: collections.UserCalendarKey, Hidden: true, Max: 64})
		return app.Save(users)
	}, func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(collections.Users)
		if err != nil {
			return err
		}
		users.Fields.RemoveByName(collections.UserCalendarKey)
		return app.Save(users)
	})
}
