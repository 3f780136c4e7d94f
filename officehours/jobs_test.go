package officehours_test

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/officehours"
	"studyhall/testkit"
)

// TestOfficeHoursSweepAndDeletes: a waiting student whose account goes
// leaves no gap in the positions, and the queue of a slot closed by the
// clock for longer than the grace is let go, while an open one is kept.
func TestOfficeHoursSweepAndDeletes(t *testing.T) {
	t.Parallel()
	app := testkit.NewOfficeHoursApp(t)
	srv := testkit.StartServer(t, app)
	// a day that is neither today nor yesterday in the instructor's zone,
	// so the schedule alone never opens these slots during the test
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	day := (int(time.Now().In(london).Weekday()) + 3) % 7
	expiring := testkit.CreateOfficeHours(t, app, testkit.IdInstructor, day, "15:00", "16:00", collections.OfficeHoursManualOpen)
	kept := testkit.CreateOfficeHours(t, app, testkit.IdOtherInstructor, day, "15:00", "16:00", collections.OfficeHoursManualOpen)
	students, studentTokens := testkit.CreateQueueStudents(t, app, 4, "sweep")
	for i := range 3 {
		if status, _, apiErr := testkit.JoinQueue(t, srv.URL, studentTokens[i], expiring.Id, ""); status != 200 {
			t.Fatalf("join %d: %d %v", i, status, apiErr)
		}
	}
	if status, _, apiErr := testkit.JoinQueue(t, srv.URL, studentTokens[3], kept.Id, ""); status != 200 {
		t.Fatalf("join the kept slot: %d %v", status, apiErr)
	}

	if err := app.Delete(students[1]); err != nil {
		t.Fatal(err)
	}
	testkit.CheckQueue(t, app, expiring.Id, []string{students[0].Id, students[2].Id}, officehours.DefaultVisitSeconds)

	// the sweep leaves open slots alone, and a manual open that ended a
	// moment ago too
	now := time.Now()
	expiring.Set(collections.OfficeHoursManualUntil, now.Add(-time.Minute))
	if err := app.Save(expiring); err != nil {
		t.Fatal(err)
	}
	if n, err := officehours.SweepQueues(app, now); err != nil || n != 0 {
		t.Fatalf("sweep within the grace: %d, %v", n, err)
	}
	expiring.Set(collections.OfficeHoursManualUntil, now.Add(-time.Hour))
	if err := app.Save(expiring); err != nil {
		t.Fatal(err)
	}
	if n, err := officehours.SweepQueues(app, now); err != nil || n != 2 {
		t.Fatalf("sweep after the grace cancelled %d, %v; want 2", n, err)
	}
	testkit.CheckQueue(t, app, expiring.Id, []string{}, officehours.DefaultVisitSeconds)
	testkit.CheckQueue(t, app, kept.Id, []string{students[3].Id}, officehours.DefaultVisitSeconds)
	for _, s := range []*core.Record{students[0], students[2]} {
		if got := testkit.QueueNoticeCount(t, app, s.Id, collections.TypeOfficeHoursCancelled); got != 1 {
			t.Errorf("student %s got %d cancellation notices", s.Id, got)
		}
	}

	// an instructor's account going takes their slots and queues along
	if err := app.Delete(mustFindUser(t, app, testkit.IdOtherInstructor)); err != nil {
		t.Fatalf("delete an instructor with a queue: %v", err)
	}
	if n := testkit.CountRecords(t, app, collections.OfficeHoursQueue, "instructor = '"+testkit.IdOtherInstructor+"'"); n != 0 {
		t.Fatalf("%d entries of a deleted instructor remain", n)
	}
}

// TestOfficeHoursSweepEndsSession: the pause and the announcement of a
// slot end with its session, once the slot has been closed by the clock
// for the grace, even with nobody waiting; an open slot keeps them.
func TestOfficeHoursSweepEndsSession(t *testing.T) {
	t.Parallel()
	app := testkit.NewOfficeHoursApp(t)
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	day := (int(time.Now().In(london).Weekday()) + 3) % 7
	now := time.Now()
	session := func(slot *core.Record, manualUntil time.Time) {
		t.Helper()
		slot.Set(collections.OfficeHoursManualUntil, manualUntil)
		slot.Set(collections.OfficeHoursPausedAt, now.Add(-2*time.Hour))
		slot.Set(collections.OfficeHoursAnnouncement, "Short break.")
		slot.Set(collections.OfficeHoursAnnouncedAt, now.Add(-2*time.Hour))
		if err := app.Save(slot); err != nil {
			t.Fatal(err)
		}
	}
	ended := testkit.CreateOfficeHours(t, app, testkit.IdInstructor, day, "15:00", "16:00", collections.OfficeHoursManualOpen)
	session(ended, now.Add(-time.Hour))
	open := testkit.CreateOfficeHours(t, app, testkit.IdInstructor, day, "17:00", "18:00", collections.OfficeHoursManualOpen)
	session(open, now.Add(time.Hour))

	if _, err := officehours.SweepQueues(app, now); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		slot *core.Record
		kept bool
	}{{ended, false}, {open, true}} {
		slot, err := app.FindRecordById(collections.OfficeHours, c.slot.Id)
		if err != nil {
			t.Fatal(err)
		}
		paused := !slot.GetDateTime(collections.OfficeHoursPausedAt).IsZero()
		announced := slot.GetString(collections.OfficeHoursAnnouncement) != "" || !slot.GetDateTime(collections.OfficeHoursAnnouncedAt).IsZero()
		if paused != c.kept || announced != c.kept {
			t.Errorf("slot %s: paused %v, announced %v; want both %v", slot.Id, paused, announced, c.kept)
		}
	}
}
