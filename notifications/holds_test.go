package notifications_test

import (
	"testing"
	"time"

	"studyhall/collections"
	"studyhall/notifications"
	"studyhall/testkit"
)

// TestNotificationExpiry: the daily job deletes expired notifications, and
// a held one that expires before its release is dropped, never delivered.
// That an expired one is hidden at once and a 404 to read is checked
// beside the list rule and the read route.
func TestNotificationExpiry(t *testing.T) {
	t.Parallel()

	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	for _, priority := range []string{"low", "normal"} {
		if _, err := notifications.Send(app, notifications.Notification{
			Type: collections.TypeTest, Recipients: []string{testkit.IdOtherStudent}, Title: "gone", Priority: priority,
			ExpiresAt: time.Now().Add(-time.Minute),
		}); err != nil {
			t.Fatal(err)
		}
	}

	// a held one whose expiry passes before its release is dropped, never delivered
	start, end := quietWindowAround("Europe/Berlin", time.Now())
	setPreferences(t, app, testkit.IdOtherStudent, map[string]any{"quietHoursStart": start, "quietHoursEnd": end})
	if _, err := notifications.Send(app, notifications.Notification{
		Type: collections.TypeTest, Recipients: []string{testkit.IdOtherStudent}, Title: "held", ExpiresAt: time.Now().Add(time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := notifications.ReleaseDue(app, time.Now().Add(2*time.Hour)); err != nil || n != 0 {
		t.Fatalf("released %d (%v), want 0", n, err)
	}
	if n := testkit.CountRecords(t, app, collections.NotificationHolds, "user = '"+testkit.IdOtherStudent+"'"); n != 0 {
		t.Fatalf("%d holds left", n)
	}

	deleted, err := notifications.DeleteExpired(app, time.Now())
	if err != nil || deleted != 2 {
		t.Fatalf("deleted %d (%v), want 2", deleted, err)
	}
	if n := len(notificationsOf(t, app, testkit.IdOtherStudent, collections.TypeTest)); n != 0 {
		t.Fatalf("%d expired notifications left", n)
	}
}
