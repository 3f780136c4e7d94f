package livesessions_test

import (
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"studyhall/collections"
	"studyhall/livesessions"
	"studyhall/testkit"
)

// TestLiveSessionStartingSoon runs the job: a session starting within 15
// minutes reminds its enrolled students once (urgent), however often the
// job runs; a later one does not yet.
func TestLiveSessionStartingSoon(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	t.Cleanup(app.Cleanup)
	now := time.Now().UTC()
	for id, start := range map[string]time.Time{"lvssoon00000001": now.Add(10 * time.Minute), "lvslater0000001": now.Add(40 * time.Minute)} {
		if _, err := testkit.SaveRecord(app, collections.LiveSessions, id, map[string]any{
			"instructor": testkit.IdInstructor, "course": testkit.IdCourse, "title": "Soon " + id, "scheduledStart": start,
		}); err != nil {
			t.Fatal(err)
		}
	}

	var job func()
	for _, j := range app.Cron().Jobs() {
		if j.Id() == livesessions.StartingSoonJobId {
			job = j.Run
		}
	}
	if job == nil {
		t.Fatal("the starting-soon job is not scheduled")
	}
	job()
	job()

	expectSessionNotices(t, app, collections.TypeLiveSessionStartingSoon, "lvssoon00000001", map[string]int{testkit.IdStudent: 1, testkit.IdDroppedStudent: 0, testkit.IdOtherStudent: 0})
	expectSessionNotices(t, app, collections.TypeLiveSessionStartingSoon, "lvslater0000001", map[string]int{testkit.IdStudent: 0})
	notices, err := app.FindRecordsByFilter(collections.Notifications, "type = {:type}", "", 0, 0, dbx.Params{"type": collections.TypeLiveSessionStartingSoon})
	if err != nil || len(notices) != 1 || notices[0].GetString(collections.NotificationPriority) != collections.PriorityUrgent {
		t.Errorf("starting-soon notices %d (%v), want one urgent", len(notices), err)
	}

	// a rescheduled session is reminded of its new time
	session := testkit.FindLiveSession(t, app, "lvssoon00000001")
	session.Set(collections.LiveSessionScheduledStart, now.Add(12*time.Minute))
	if err := app.Save(session); err != nil {
		t.Fatal(err)
	}
	if n, err := livesessions.NotifyStartingSoon(app, time.Now()); err != nil || n != 1 {
		t.Errorf("after a reschedule the job reminded %d sessions (%v), want 1", n, err)
	}
}
