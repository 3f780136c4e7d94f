package livesessions_test

import (
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/testkit"
)

// withLiveSessions is a BeforeTestFunc that adds the live session fixtures.
func withLiveSessions(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	testkit.SeedLiveSessions(t, app)
}

// sessionNoticesOf counts the user's notifications (delivered or held) of a type
// about one session.
func sessionNoticesOf(t testing.TB, app core.App, userId, notificationType, sessionId string) int {
	t.Helper()
	filter := "user = '" + userId + "' && type = '" + notificationType + "' && relatedId = '" + sessionId + "'"
	return testkit.CountRecords(t, app, collections.Notifications, filter) +
		testkit.CountRecords(t, app, collections.NotificationHolds, filter)
}

// expectSessionNotices asserts how many notices of a type about the session each
// user has.
func expectSessionNotices(t testing.TB, app core.App, notificationType, sessionId string, want map[string]int) {
	t.Helper()
	for userId, n := range want {
		if got := sessionNoticesOf(t, app, userId, notificationType, sessionId); got != n {
			t.Errorf("%s: %d %s notices, want %d", userId, got, notificationType, n)
		}
	}
}

// backdateAttendance moves an attendance's joinedAt d into the past, as if the
// attendee had been in for d.
func backdateAttendance(t testing.TB, app core.App, attendeeId string, d time.Duration) {
	t.Helper()
	joined := types.NowDateTime().Add(-d).String()
	if _, err := app.DB().Update(collections.LiveSessionAttendees,
		dbx.Params{collections.AttendeeJoinedAt: joined},
		dbx.HashExp{collections.FieldId: attendeeId}).Execute(); err != nil {
		t.Fatal(err)
	}
}
