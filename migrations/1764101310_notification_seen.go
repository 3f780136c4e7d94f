package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"studyhall/collections"
)

// Seen and read, as notification services keep them: a notification is
// seen once the user has had it in front of them (the bell opened on it),
// and read once they opened or marked it. The badge counts the unseen;
// reading or archiving one sees it too. Existing rows that are read count
// as seen.
func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(collections.Notifications)
		if err != nil {
			return err
		}
		c.Fields.Add(&core.DateField{Name: collections.NotificationSeenAt})
		if err := app.Save(c); err != nil {
			return err
		}
		_, err = app.DB().NewQuery("UPDATE {{" + collections.Notifications + "}} SET [[" + collections.NotificationSeenAt +
			"]] = [[" + collections.NotificationReadAt + "]] WHERE [[" + collections.NotificationReadAt + "]] != ''").Execute()
		return err
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(collections.Notifications)
		if err != nil {
			return err
		}
		c.Fields.RemoveByName(collections.NotificationSeenAt)
		return app.Save(c)
	})
}
