package testkit

import (
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
)

// AddNotification writes a delivered notification for userId and moves its
// created time to created (zero: now), as the engine would have written it.
func AddNotification(t testing.TB, app core.App, userId, notificationType, priority, title, emailMode string, created time.Time, extra map[string]any) *core.Record {
	t.Helper()
	kind, ok := collections.LookupNotificationKind(notificationType)
	if !ok {
		t.Fatalf("unknown type %s", notificationType)
	}
	c, err := app.FindCollectionByNameOrId(collections.Notifications)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(c)
	r.Set(collections.NotificationUser, userId)
	r.Set(collections.NotificationType, kind.Type)
	r.Set(collections.NotificationCategory, kind.Category)
	r.Set(collections.NotificationPriority, priority)
	r.Set(collections.NotificationTitle, title)
	r.Set(collections.NotificationEmailMode, emailMode)
	for k, v := range extra {
		r.Set(k, v)
	}
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
	if !created.IsZero() {
		stamp, _ := types.ParseDateTime(created)
		if _, err := app.DB().Update(collections.Notifications, dbx.Params{collections.FieldCreated: stamp.String()},
			dbx.HashExp{collections.FieldId: r.Id}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	return r
}
