package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"studyhall/collections"
	"studyhall/presence"
)

// Presence: one row per user with the status others see. Every signed-in
// user may list, view and subscribe; only the server writes (connections,
// heartbeats and the status route). An invisible user's row says offline,
// and a hook hides manualStatus from everyone but its user, so nobody can
// tell invisible from gone.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(collections.Users)
		if err != nil {
			return err
		}
		c := core.NewBaseCollection(collections.Presence)
		c.ListRule = rule("@request.auth.id != ''")
		c.ViewRule = rule("@request.auth.id != ''")
		c.CreateRule = superusersOnly
		c.UpdateRule = superusersOnly
		c.DeleteRule = superusersOnly
		c.Fields.Add(
			relation(collections.PresenceUser, users.Id, true, true),
			&core.SelectField{Name: collections.PresenceStatus, Required: true, Values: presence.Statuses, MaxSelect: 1},
			&core.SelectField{Name: collections.PresenceManualStatus, Values: presence.ManualStatuses, MaxSelect: 1},
			&core.TextField{Name: collections.PresenceActivity, Max: collections.MaxActivityLength},
			&core.DateField{Name: collections.PresenceLastSeen},
		)
		addTimestamps(c)
		c.AddIndex("idx_presence_user", true, "user", "")
		c.AddIndex("idx_presence_status", false, "status", "")
		return app.Save(c)
	}, func(app core.App) error {
		return deleteCollections(app, collections.Presence)
	})
}
