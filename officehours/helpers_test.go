package officehours_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/officehours"
	"studyhall/testkit"
)

// The fixtures of the route tables: two slots of testkit.IdInstructor
// beside testkit's (IdSlot, IdInactiveSlot), open and closed by hand
// whatever the clock says, and queue entries at fixed ids that each
// scenario saves as it needs them.
const (
	idOpenSlot   = "ohslotopen00001" // Wednesdays 08:00-09:00 London, open by hand
	idClosedSlot = "ohslotclosed001" // Wednesdays 09:00-10:00 London, closed by hand
	idCourseSlot = "ohslotcourse001" // Wednesdays 13:00-14:00 London, of testkit.IdCourse (whose TA is testkit.IdTA), open by hand

	idEntry        = "ohqentry0000001" // testkit.IdStudent's
	idOtherEntry   = "ohqentry0000002" // testkit.IdOtherStudent's
	idDroppedEntry = "ohqentry0000003" // testkit.IdDroppedStudent's
	idEarlierVisit = "ohqentry0000004" // testkit.IdStudent's, completed in idVisitRoom

	idVisitRoom = "ohroomvisit0001" // the office-hours room of IdInstructor and IdStudent
)

// entryFixture is a queue entry of a scenario, in idOpenSlot unless slot
// says otherwise.
type entryFixture struct {
	id, student, status string
	position            int
	fields              map[string]any
	slot                string
}

// inCourseSlot moves the entries to idCourseSlot.
func inCourseSlot(entries ...entryFixture) []entryFixture {
	for i := range entries {
		entries[i].slot = idCourseSlot
	}
	return entries
}

// waiting is an entry waiting at position, estimated as with no visit
// history.
func waiting(id, student string, position int) entryFixture {
	return entryFixture{id: id, student: student, status: collections.QueueWaiting, position: position}
}

// twoWaiting saves idEntry and idOtherEntry waiting, in that order.
var twoWaiting = withEntries(waiting(idEntry, testkit.IdStudent, 1), waiting(idOtherEntry, testkit.IdOtherStudent, 2))

// admitted is an entry whose visit began a minute and a half ago.
func admitted(id, student string) entryFixture {
	return entryFixture{id: id, student: student, status: collections.QueueAdmitted, fields: map[string]any{
		collections.QueueAdmittedAt: types.NowDateTime().Add(-90 * time.Second),
	}}
}

// withEntries is a BeforeTestFunc that saves the entries.
func withEntries(entries ...entryFixture) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		t.Helper()
		for _, entry := range entries {
			slot := entry.slot
			if slot == "" {
				slot = idOpenSlot
			}
			data := map[string]any{
				collections.QueueOfficeHours:          slot,
				collections.QueueInstructor:           testkit.IdInstructor,
				collections.QueueStudent:              entry.student,
				collections.QueueStatus:               entry.status,
				collections.QueuePosition:             entry.position,
				collections.QueueEstimatedWaitSeconds: officehours.EstimateWaitSeconds(officehours.DefaultVisitSeconds, entry.position),
				collections.QueueJoinedAt:             types.NowDateTime().Add(-time.Hour),
			}
			for k, v := range entry.fields {
				data[k] = v
			}
			if _, err := testkit.SaveRecord(app, collections.OfficeHoursQueue, entry.id, data); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// withVisitRoom is a BeforeTestFunc that saves idVisitRoom, with the
// instructor only, and idEarlierVisit, the completed visit held in it.
func withVisitRoom(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
	t.Helper()
	if _, err := testkit.SaveRecord(app, collections.ChatRooms, idVisitRoom, map[string]any{
		collections.ChatRoomName:         "Office hours: Ada Instructor & Sam Student",
		collections.ChatRoomType:         collections.ChatRoomTypeOfficeHours,
		collections.ChatRoomCreatedBy:    testkit.IdInstructor,
		collections.ChatRoomParticipants: []string{testkit.IdInstructor},
	}); err != nil {
		t.Fatal(err)
	}
	withEntries(entryFixture{id: idEarlierVisit, student: testkit.IdStudent, status: collections.QueueCompleted, fields: map[string]any{
		collections.QueueAdmittedAt:      types.NowDateTime().Add(-2 * time.Hour),
		collections.QueueCompletedAt:     types.NowDateTime().Add(-2 * time.Hour),
		collections.QueueChatRoom:        idVisitRoom,
		collections.QueueInstructorNotes: "Great progress.",
	}})(t, app, e)
}

// before chains BeforeTestFuncs.
func before(funcs ...func(testing.TB, *tests.TestApp, *core.ServeEvent)) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		for _, f := range funcs {
			f(t, app, e)
		}
	}
}

// runScenarios runs each scenario on a fresh app holding the slot
// fixtures, then what the scenario's own BeforeTestFunc saves.
func runScenarios(t *testing.T, scenarios []tests.ApiScenario) {
	t.Helper()
	for _, scenario := range scenarios {
		own := scenario.BeforeTestFunc
		scenario.TestAppFactory = func(t testing.TB) *tests.TestApp { return testkit.NewTestApp(t) }
		scenario.BeforeTestFunc = func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			slotFixtures(t, app)
			if own != nil {
				own(t, app, e)
			}
		}
		scenario.Test(t)
	}
}

// slotFixtures saves testkit's slots, idOpenSlot, idClosedSlot and
// idCourseSlot.
func slotFixtures(t testing.TB, app *tests.TestApp) {
	t.Helper()
	testkit.OfficeHoursSlotFixtures(t, app)
	for _, s := range []struct{ id, start, end, manual, course string }{
		{idOpenSlot, "08:00", "09:00", collections.OfficeHoursManualOpen, ""},
		{idClosedSlot, "09:00", "10:00", collections.OfficeHoursManualClosed, ""},
		{idCourseSlot, "13:00", "14:00", collections.OfficeHoursManualOpen, testkit.IdCourse},
	} {
		if _, err := testkit.SaveRecord(app, collections.OfficeHours, s.id, map[string]any{
			collections.OfficeHoursCourse:      s.course,
			collections.OfficeHoursInstructor:  testkit.IdInstructor,
			collections.OfficeHoursDayOfWeek:   testkit.SlotDay,
			collections.OfficeHoursStartTime:   s.start,
			collections.OfficeHoursEndTime:     s.end,
			collections.OfficeHoursActive:      true,
			collections.OfficeHoursManualState: s.manual,
			collections.OfficeHoursManualUntil: types.NowDateTime().Add(3 * time.Hour),
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// ---------------------------------------------------------------------
// checks for AfterTestFunc

// after chains AfterTestFuncs.
func after(funcs ...func(testing.TB, *tests.TestApp, *http.Response)) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, res *http.Response) {
		for _, f := range funcs {
			f(t, app, res)
		}
	}
}

// queueIs checks that the waiting students of idOpenSlot are exactly
// students, in order, numbered and estimated with no visit history.
func queueIs(students ...string) func(testing.TB, *tests.TestApp, *http.Response) {
	return queueOf(idOpenSlot, students...)
}

// queueOf is queueIs of another slot.
func queueOf(slotId string, students ...string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		t.Helper()
		testkit.CheckQueue(t, app, slotId, students, officehours.DefaultVisitSeconds)
	}
}

// withSlot is a BeforeTestFunc that sets fields of a slot fixture.
func withSlot(slotId string, fields map[string]any) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		t.Helper()
		slot, err := app.FindRecordById(collections.OfficeHours, slotId)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range fields {
			slot.Set(k, v)
		}
		if err := app.Save(slot); err != nil {
			t.Fatal(err)
		}
	}
}

// slotHas checks fields of a slot as stored: each want is compared as
// text, "" for an empty date.
func slotHas(slotId string, want map[string]string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		t.Helper()
		slot, err := app.FindRecordById(collections.OfficeHours, slotId)
		if err != nil {
			t.Fatal(err)
		}
		for field, value := range want {
			if got := slot.GetString(field); got != value {
				t.Errorf("slot %s has %s %q, want %q", slotId, field, got, value)
			}
		}
	}
}

// slotSet checks that a slot's date field is set (or, with set false,
// empty).
func slotSet(slotId, field string, set bool) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		t.Helper()
		slot, err := app.FindRecordById(collections.OfficeHours, slotId)
		if err != nil {
			t.Fatal(err)
		}
		if got := !slot.GetDateTime(field).IsZero(); got != set {
			t.Errorf("slot %s: %s set %v, want %v", slotId, field, got, set)
		}
	}
}

// notices checks that userId has want notifications of the type.
func notices(userId, notificationType string, want int) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		t.Helper()
		if got := testkit.QueueNoticeCount(t, app, userId, notificationType); got != want {
			t.Errorf("%s has %d %s notifications, want %d", userId, got, notificationType, want)
		}
	}
}

// noticeSays checks that userId's one notification of the type has the
// message.
func noticeSays(userId, notificationType, message string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		t.Helper()
		records, err := app.FindAllRecords(collections.Notifications)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range records {
			if n.GetString(collections.NotificationUser) == userId && n.GetString(collections.NotificationType) == notificationType {
				got = append(got, n.GetString(collections.NotificationMessage))
			}
		}
		if !slices.Equal(got, []string{message}) {
			t.Errorf("%s's %s notifications say %q, want one saying %q", userId, notificationType, got, message)
		}
	}
}

// entryURL is the path of a queue entry's route.
func entryURL(entryId, action string) string {
	return "/api/office-hours/queue/" + entryId + "/" + action
}

// slotURL is the path of a slot's route.
func slotURL(slotId, action string) string {
	return "/api/office-hours/" + slotId + "/" + action
}

func mustFindUser(t testing.TB, app core.App, id string) *core.Record {
	t.Helper()
	record, err := app.FindRecordById(collections.Users, id)
	if err != nil {
		t.Fatal(err)
	}
	return record
}

// entryCancelledBy checks that the entry was cancelled by userId.
func entryCancelledBy(entryId, userId string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		t.Helper()
		entry, err := app.FindRecordById(collections.OfficeHoursQueue, entryId)
		if err != nil {
			t.Fatal(err)
		}
		if entry.GetString(collections.QueueStatus) != collections.QueueCancelled || entry.GetString(collections.QueueCancelledBy) != userId {
			t.Errorf("entry %s is %s by %q, want cancelled by %s", entryId, entry.GetString(collections.QueueStatus), entry.GetString(collections.QueueCancelledBy), userId)
		}
	}
}

// noticeLinks checks that every notification of the type userId has
// links to actionURL.
func noticeLinks(userId, notificationType, actionURL string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		t.Helper()
		records, err := app.FindAllRecords(collections.Notifications)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, n := range records {
			if n.GetString(collections.NotificationUser) != userId || n.GetString(collections.NotificationType) != notificationType {
				continue
			}
			found++
			if got := n.GetString(collections.NotificationActionURL); got != actionURL {
				t.Errorf("%s's %s notification links to %q, want %q", userId, notificationType, got, actionURL)
			}
		}
		if found == 0 {
			t.Errorf("%s has no %s notification", userId, notificationType)
		}
	}
}
