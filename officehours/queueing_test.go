package officehours_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"studyhall/collections"
	"studyhall/commands"
	"studyhall/officehours"
	"studyhall/testkit"
)

// TestOfficeHoursConcurrentQueue: 50 students join at once, then
// cancellations from the middle and an admit race each other, then many
// admits of one entry race: positions stay exactly 1..N in join order and
// the entry is admitted once.
func TestOfficeHoursConcurrentQueue(t *testing.T) {
	t.Parallel()
	app := testkit.NewOfficeHoursApp(t)
	srv := testkit.StartServer(t, app)
	slot := testkit.CreateOfficeHours(t, app, testkit.IdInstructor, testkit.SlotDay, "12:00", "13:00", collections.OfficeHoursManualOpen)
	const n = 50
	students, studentTokens := testkit.CreateQueueStudents(t, app, n, "crowd")

	entryOf := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := range n {
		wg.Go(func() {
			status, entry, apiErr := testkit.JoinQueue(t, srv.URL, studentTokens[i], slot.Id, fmt.Sprintf("question %d", i))
			if status != 200 {
				errs <- fmt.Sprintf("join %d: %d %v", i, status, apiErr)
				return
			}
			entryOf[i], _ = entry["id"].(string)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// join order is commit order: positions 1..50, and joinedAt never
	// goes backwards along them
	entries := testkit.WaitingEntries(t, app, slot.Id)
	order := make([]string, len(entries))
	for i, entry := range entries {
		order[i] = entry.GetString(collections.QueueStudent)
		if i > 0 && entry.GetDateTime(collections.QueueJoinedAt).Before(entries[i-1].GetDateTime(collections.QueueJoinedAt)) {
			t.Fatalf("position %d joined before position %d", i+1, i)
		}
	}
	testkit.CheckQueue(t, app, slot.Id, order, officehours.DefaultVisitSeconds)
	if len(order) != n {
		t.Fatalf("%d waiting, want %d", len(order), n)
	}
	indexOf := map[string]int{}
	for i, s := range students {
		indexOf[s.Id] = i
	}

	// the head and position 40 are admitted while positions 10, 20 and
	// 30 leave, all at once
	leaving := []string{order[9], order[19], order[29]}
	for _, studentId := range []string{order[0], order[39]} {
		wg.Go(func() {
			if status, _, apiErr := testkit.EntryAction(t, srv.URL, testkit.Tokens[testkit.Instructor], entryOf[indexOf[studentId]], "admit", nil); status != 200 {
				t.Errorf("admit %s: %d %v", studentId, status, apiErr)
			}
		})
	}
	for _, studentId := range leaving {
		wg.Go(func() {
			i := indexOf[studentId]
			if status, _, apiErr := testkit.EntryAction(t, srv.URL, studentTokens[i], entryOf[i], "cancel", nil); status != 200 {
				t.Errorf("cancel %d: %d %v", i, status, apiErr)
			}
		})
	}
	wg.Wait()
	want := slices.DeleteFunc(slices.Clone(order[1:]), func(id string) bool { return id == order[39] || slices.Contains(leaving, id) })
	testkit.CheckQueue(t, app, slot.Id, want, officehours.DefaultVisitSeconds)

	// ten admits of the new head at once: one wins
	head := entryOf[indexOf[want[0]]]
	var mu sync.Mutex
	statuses := map[int]int{}
	for range 10 {
		wg.Go(func() {
			status, _, _ := testkit.EntryAction(t, srv.URL, testkit.Tokens[testkit.Instructor], head, "admit", nil)
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if statuses[200] != 1 || statuses[409] != 9 {
		t.Fatalf("ten racing admits answered %v, want one 200 and nine 409", statuses)
	}
	testkit.CheckQueue(t, app, slot.Id, want[1:], officehours.DefaultVisitSeconds)
	if got := testkit.QueueNoticeCount(t, app, want[0], collections.TypeOfficeHoursAdmitted); got != 1 {
		t.Fatalf("the admitted student got %d admitted notices", got)
	}
	if got := testkit.CountRecords(t, app, collections.OfficeHoursQueue, "instructor = '"+testkit.IdInstructor+"' && status = 'admitted'"); got != 3 {
		t.Fatalf("%d admitted entries, want 3", got)
	}
}

// TestOfficeHoursSeedDemo: seed --demo (twice) leaves one demo slot, open
// now, with one demo student waiting at position 1.
func TestOfficeHoursSeedDemo(t *testing.T) {
	t.Parallel()
	app := testkit.NewOfficeHoursApp(t)
	if _, err := commands.SeedDemo(app); err != nil {
		t.Fatal(err)
	}
	demo, err := commands.SeedDemo(app)
	if err != nil {
		t.Fatal(err)
	}
	slots, err := app.FindRecordsByFilter(collections.OfficeHours, "instructor = {:i}", "", 0, 0, dbx.Params{"i": demo.Instructor.Id})
	if err != nil || len(slots) != 1 {
		t.Fatalf("demo slots: %d, %v", len(slots), err)
	}
	slot := slots[0]
	weekly, err := officehours.NewSlot(slot.GetInt(collections.OfficeHoursDayOfWeek), slot.GetString(collections.OfficeHoursStartTime),
		slot.GetString(collections.OfficeHoursEndTime), slot.GetString(collections.OfficeHoursTimezone))
	if err != nil {
		t.Fatal(err)
	}
	override := officehours.Override{State: slot.GetString(collections.OfficeHoursManualState), Until: slot.GetDateTime(collections.OfficeHoursManualUntil).Time()}
	if !officehours.IsOpen(weekly, slot.GetBool(collections.OfficeHoursActive), override, time.Now()) {
		t.Fatalf("the demo slot is not open now: %v", slot.FieldsData())
	}
	testkit.CheckQueue(t, app, slot.Id, []string{demo.Students[2].Id}, officehours.DefaultVisitSeconds)
}
