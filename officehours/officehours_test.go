// Over 400 lines: TestOfficeHoursSlotRules is one table of every slot rule.

package officehours_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/officehours"
	"studyhall/testkit"
)

// TestOfficeHoursSlotRules: who sees, creates, updates and deletes slots,
// and every way a slot can be invalid.
func TestOfficeHoursSlotRules(t *testing.T) {
	t.Parallel()

	slotBody := func(fields map[string]any) *strings.Reader {
		body := map[string]any{
			"instructor": testkit.IdInstructor, "dayOfWeek": 1, "startTime": "09:00", "endTime": "10:00",
		}
		for k, v := range fields {
			if v == nil {
				delete(body, k)
			} else {
				body[k] = v
			}
		}
		raw := "{"
		first := true
		for k, v := range body {
			if !first {
				raw += ","
			}
			first = false
			switch v := v.(type) {
			case string:
				raw += fmt.Sprintf("%q:%q", k, v)
			default:
				raw += fmt.Sprintf("%q:%v", k, v)
			}
		}
		return strings.NewReader(raw + "}")
	}

	scenarios := []tests.ApiScenario{
		{
			Name:            "a guest lists no slots",
			Method:          http.MethodGet,
			URL:             testkit.RecordsURL(collections.OfficeHours),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"totalItems":0`},
			ExpectedEvents:  map[string]int{"OnRecordsListRequest": 1},
		},
		{
			Name:               "a student lists active slots only, each saying whether it is open",
			Method:             http.MethodGet,
			URL:                testkit.RecordsURL(collections.OfficeHours),
			Headers:            testkit.AuthHeader(testkit.OtherStudent),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"totalItems":1`, `"id":"` + testkit.IdSlot + `"`, `"isOpen":`},
			NotExpectedContent: []string{testkit.IdInactiveSlot},
			ExpectedEvents:     map[string]int{"OnRecordsListRequest": 1, "OnRecordEnrich": 1},
		},
		{
			Name:            "the instructor lists their inactive slots too",
			Method:          http.MethodGet,
			URL:             testkit.RecordsURL(collections.OfficeHours),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"totalItems":2`, testkit.IdInactiveSlot},
			ExpectedEvents:  map[string]int{"OnRecordsListRequest": 1, "OnRecordEnrich": 2},
		},
		{
			Name:            "a student cannot create a slot",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.OfficeHours),
			Headers:         testkit.AuthHeader(testkit.Student),
			Body:            slotBody(map[string]any{"instructor": testkit.IdStudent}),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":400`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "an instructor cannot create a slot for another",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.OfficeHours),
			Headers:         testkit.AuthHeader(testkit.OtherInstructor),
			Body:            slotBody(nil),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"instructor":{"code":"validation_server_field"`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 0},
		},
		{
			Name:            "an instructor creates a slot, active and in their own zone by default",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.OfficeHours),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            slotBody(map[string]any{"course": testkit.IdCourse, "location": "Room 4"}),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"timezone":"Europe/London"`, `"active":true`, `"course":"` + testkit.IdCourse + `"`, `"isOpen":`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordValidate": 1, "OnRecordAfterCreateSuccess": 1},
		},
		{
			Name:            "a Sunday slot (dayOfWeek 0) is a real day",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.OfficeHours),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            slotBody(map[string]any{"dayOfWeek": 0, "timezone": "Asia/Tokyo"}),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"dayOfWeek":0`, `"timezone":"Asia/Tokyo"`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordAfterCreateSuccess": 1},
		},
		{
			Name:            "dayOfWeek is required",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.OfficeHours),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            slotBody(map[string]any{"dayOfWeek": nil}),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"dayOfWeek":{"code":"validation_required"`},
			ExpectedEvents:  map[string]int{"*": 0, "OnRecordCreateRequest": 1},
		},
		{
			Name:            "start must be before end",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.OfficeHours),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            slotBody(map[string]any{"startTime": "10:00", "endTime": "10:00"}),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"endTime":{"code":"validation_end_before_start"`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "a meeting link is at most 2,000 characters",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.OfficeHours),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            slotBody(map[string]any{"meetingUrl": "https://meet.example.com/" + strings.Repeat("a", 2000)}),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"meetingUrl":{"code":"validation_max_text_constraint"`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "times are HH:MM",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.OfficeHours),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            slotBody(map[string]any{"startTime": "9:00", "endTime": "25:00"}),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"startTime":{"code":"validation_invalid_format"`, `"endTime":{"code":"validation_invalid_format"`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "dayOfWeek is 0..6",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.OfficeHours),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            slotBody(map[string]any{"dayOfWeek": 7}),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"dayOfWeek":{"code":"validation_max_number_constraint"`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "the zone must be an IANA zone",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.OfficeHours),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            slotBody(map[string]any{"timezone": "Mars/Olympus"}),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"timezone":{"code":"validation_invalid_timezone"`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "a slot overlapping another of the instructor's is refused",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.OfficeHours),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            slotBody(map[string]any{"dayOfWeek": 3, "startTime": "11:00", "endTime": "13:00"}),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"startTime":{"code":"validation_slot_overlap"`, `"endTime":{"code":"validation_slot_overlap"`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "so is one overlapping it from another zone",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.OfficeHours),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            slotBody(map[string]any{"dayOfWeek": 3, "startTime": "12:30", "endTime": "13:30", "timezone": "Europe/Berlin"}),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"code":"validation_slot_overlap"`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "another instructor's slot at the same time is fine",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.OfficeHours),
			Headers:         testkit.AuthHeader(testkit.OtherInstructor),
			Body:            slotBody(map[string]any{"instructor": testkit.IdOtherInstructor, "dayOfWeek": 3, "startTime": "10:00", "endTime": "12:00", "timezone": "Europe/London"}),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"instructor":"` + testkit.IdOtherInstructor + `"`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordAfterCreateSuccess": 1},
		},
		{
			Name:            "only for a course the instructor teaches",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.OfficeHours),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            slotBody(map[string]any{"course": testkit.IdOtherCourse}),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"course":{"code":"validation_not_course_instructor"`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "the manual state is not written by clients",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.OfficeHours),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            slotBody(map[string]any{"manualState": "open"}),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"manualState":{"code":"validation_server_field"`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 0},
		},
		{
			Name:            "the owner updates a slot",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.OfficeHours, testkit.IdSlot),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            strings.NewReader(`{"location":"Room 7","endTime":"12:30"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"location":"Room 7"`, `"endTime":"12:30"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordAfterUpdateSuccess": 1},
		},
		{
			Name:            "the owner sets a daily visit limit",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.OfficeHours, testkit.IdSlot),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            strings.NewReader(`{"maxVisitsPerDay":2}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"maxVisitsPerDay":2`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordAfterUpdateSuccess": 1},
		},
		{
			Name:            "a daily visit limit is a whole number up to 100",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.OfficeHours, testkit.IdSlot),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            strings.NewReader(`{"maxVisitsPerDay":101}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"maxVisitsPerDay":{"code":"validation_max_number_constraint"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordAfterUpdateSuccess": 0},
		},
		{
			Name:            "the pause and the announcement are the routes' only",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.OfficeHours, testkit.IdSlot),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            strings.NewReader(`{"pausedAt":"2030-01-01 10:00:00.000Z","announcement":"Hi."}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"pausedAt":{"code":"validation_server_field"`, `"announcement":{"code":"validation_server_field"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 0},
		},
		{
			Name:            "the owner cannot set the manual state by update",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.OfficeHours, testkit.IdSlot),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            strings.NewReader(`{"manualState":"open"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"manualState":{"code":"validation_server_field"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 0},
		},
		{
			Name:            "another instructor cannot update it",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.OfficeHours, testkit.IdSlot),
			Headers:         testkit.AuthHeader(testkit.OtherInstructor),
			Body:            strings.NewReader(`{"location":"Mine now"}`),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a student cannot delete it",
			Method:          http.MethodDelete,
			URL:             testkit.RecordsURL(collections.OfficeHours, testkit.IdSlot),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:           "the owner deletes it",
			Method:         http.MethodDelete,
			URL:            testkit.RecordsURL(collections.OfficeHours, testkit.IdSlot),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus: 204,
			ExpectedEvents: map[string]int{"OnRecordDeleteRequest": 1, "OnRecordAfterDeleteSuccess": 1},
		},
		{
			Name:            "a student cannot write queue entries through the records API",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.OfficeHoursQueue),
			Headers:         testkit.AuthHeader(testkit.Student),
			Body:            strings.NewReader(`{"officeHours":"` + testkit.IdSlot + `","instructor":"` + testkit.IdInstructor + `","student":"` + testkit.IdStudent + `","status":"waiting","position":1}`),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"status":403`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	}
	for _, scenario := range scenarios {
		scenario.TestAppFactory = func(t testing.TB) *tests.TestApp { return testkit.NewTestApp(t) }
		scenario.BeforeTestFunc = func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
			testkit.OfficeHoursSlotFixtures(t, app)
		}
		scenario.Test(t)
	}
}

// TestOfficeHoursQueueRecords: queue entries through the records API: each
// side sees its own, the instructor's notes stay private until shared, and
// deactivating a slot cancels its waiting entries.
func TestOfficeHoursQueueRecords(t *testing.T) {
	t.Parallel()
	completed := func(shared bool) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
		return withEntries(entryFixture{id: idEntry, student: testkit.IdStudent, status: collections.QueueCompleted, fields: map[string]any{
			collections.QueueInstructorNotes: "Needs to review factoring.",
			collections.QueueNotesShared:     shared,
		}})
	}
	runScenarios(t, []tests.ApiScenario{
		{
			Name:            "a TA of the slot's course does not edit the slot",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.OfficeHours, idCourseSlot),
			Headers:         testkit.AuthHeader(testkit.TA),
			Body:            strings.NewReader(`{"maxVisitsPerDay":1}`),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:               "the student does not see unshared notes",
			Method:             http.MethodGet,
			URL:                testkit.RecordsURL(collections.OfficeHoursQueue, idEntry),
			Headers:            testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:     completed(false),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"id":"` + idEntry + `"`},
			NotExpectedContent: []string{`"instructorNotes"`},
			ExpectedEvents:     map[string]int{"*": 0, "OnRecordViewRequest": 1, "OnRecordEnrich": 1},
		},
		{
			Name:            "the instructor does",
			Method:          http.MethodGet,
			URL:             testkit.RecordsURL(collections.OfficeHoursQueue, idEntry),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  completed(false),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"instructorNotes":"Needs to review factoring."`},
			ExpectedEvents:  map[string]int{"*": 0, "OnRecordViewRequest": 1, "OnRecordEnrich": 1},
		},
		{
			Name:            "shared notes reach the student",
			Method:          http.MethodGet,
			URL:             testkit.RecordsURL(collections.OfficeHoursQueue, idEntry),
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  completed(true),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"instructorNotes":"Needs to review factoring."`, `"notesShared":true`},
			ExpectedEvents:  map[string]int{"*": 0, "OnRecordViewRequest": 1, "OnRecordEnrich": 1},
		},
		{
			Name:           "another student lists only their own entry",
			Method:         http.MethodGet,
			URL:            testkit.RecordsURL(collections.OfficeHoursQueue),
			Headers:        testkit.AuthHeader(testkit.OtherStudent),
			BeforeTestFunc: before(completed(false), withEntries(waiting(idOtherEntry, testkit.IdOtherStudent, 1))),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"totalItems":1`, `"id":"` + idOtherEntry + `"`,
			},
			NotExpectedContent: []string{idEntry},
			ExpectedEvents:     map[string]int{"*": 0, "OnRecordsListRequest": 1, "OnRecordEnrich": 1},
		},
		{
			Name:           "deactivating a slot cancels its waiting entries",
			Method:         http.MethodPatch,
			URL:            testkit.RecordsURL(collections.OfficeHours, idOpenSlot),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			Body:           strings.NewReader(`{"active":false}`),
			BeforeTestFunc: withEntries(waiting(idEntry, testkit.IdStudent, 1), waiting(idOtherEntry, testkit.IdOtherStudent, 2)),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"active":false`,
			},
			// the slot and its two entries
			ExpectedEvents: map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 3},
			AfterTestFunc: after(
				queueIs(),
				func(t testing.TB, app *tests.TestApp, _ *http.Response) {
					if n := testkit.CountRecords(t, app, collections.OfficeHoursQueue, "officeHours = '"+idOpenSlot+"' && status = 'cancelled' && cancelledBy = ''"); n != 2 {
						t.Fatalf("%d entries cancelled by the deactivation, want 2", n)
					}
				},
				notices(testkit.IdStudent, collections.TypeOfficeHoursCancelled, 1),
			),
		},
	})
}

// TestOfficeHoursRealtimePositions: over a real SSE connection, a waiting
// student receives each new position of their entry as it changes, never
// the instructor's private notes, and nobody receives another student's
// entry.
func TestOfficeHoursRealtimePositions(t *testing.T) {
	t.Parallel()
	app := testkit.NewOfficeHoursApp(t)
	srv := testkit.StartServer(t, app)
	slot := testkit.CreateOfficeHours(t, app, testkit.IdInstructor, testkit.SlotDay, "13:00", "14:00", collections.OfficeHoursManualOpen)
	students, studentTokens := testkit.CreateQueueStudents(t, app, 3, "live")

	entries := make([]string, 3)
	for i := range students {
		status, entry, apiErr := testkit.JoinQueue(t, srv.URL, studentTokens[i], slot.Id, "")
		if status != 200 {
			t.Fatalf("join %d: %d %v", i, status, apiErr)
		}
		entries[i] = entry["id"].(string)
	}

	// the last student watches their own entry; the first watches the
	// whole collection (and must see only their own)
	watcher := testkit.ConnectRealtime(t, srv.URL)
	topic := collections.OfficeHoursQueue + "/" + entries[2]
	watcher.Subscribe(t, studentTokens[2], topic)
	watcherAll := testkit.ConnectRealtime(t, srv.URL)
	watcherAll.Subscribe(t, studentTokens[2], collections.OfficeHoursQueue+"/*")
	wildcard := testkit.ConnectRealtime(t, srv.URL)
	wildcard.Subscribe(t, studentTokens[0], collections.OfficeHoursQueue+"/*")
	staff := testkit.ConnectRealtime(t, srv.URL)
	staff.Subscribe(t, testkit.Tokens[testkit.Instructor], collections.OfficeHoursQueue+"/*")

	expectPosition := func(c *testkit.RealtimeClient, name string, wantId string, wantPosition int) {
		t.Helper()
		ev := c.ExpectEvent(t, name, 2*time.Second)
		if ev.Action != "update" || ev.Record["id"] != wantId || ev.Record["position"] != float64(wantPosition) {
			t.Fatalf("%s: %s of %v at %v, want update of %s at %d", name, ev.Action, ev.Record["id"], ev.Record["position"], wantId, wantPosition)
		}
		if want := float64(officehours.EstimateWaitSeconds(officehours.DefaultVisitSeconds, wantPosition)); ev.Record["estimatedWaitSeconds"] != want {
			t.Fatalf("%s: estimate %v, want %v", name, ev.Record["estimatedWaitSeconds"], want)
		}
		if notes, _ := ev.Record["instructorNotes"].(string); notes != "" && c != staff {
			t.Fatalf("%s: a student received the instructor's notes", name)
		}
	}

	// admit the first: the watcher moves 3 -> 2
	if status, _, apiErr := testkit.EntryAction(t, srv.URL, testkit.Tokens[testkit.Instructor], entries[0], "admit", nil); status != 200 {
		t.Fatalf("admit: %d %v", status, apiErr)
	}
	expectPosition(watcher, topic, entries[2], 2)
	expectPosition(watcherAll, collections.OfficeHoursQueue+"/*", entries[2], 2)
	if ev := wildcard.ExpectEvent(t, collections.OfficeHoursQueue+"/*", 2*time.Second); ev.Record["id"] != entries[0] || ev.Record["status"] != "admitted" {
		t.Fatalf("the admitted student's event: %v", ev.Record)
	}

	// the second leaves: the watcher moves 2 -> 1
	if status, _, apiErr := testkit.EntryAction(t, srv.URL, studentTokens[1], entries[1], "cancel", nil); status != 200 {
		t.Fatalf("cancel: %d %v", status, apiErr)
	}
	expectPosition(watcher, topic, entries[2], 1)
	expectPosition(watcherAll, collections.OfficeHoursQueue+"/*", entries[2], 1)

	// completing the first visit changes nobody's position and, with a
	// visit shorter than a second, nobody's estimate: no event for the
	// watcher, and the first student sees no notes in theirs
	if status, _, apiErr := testkit.EntryAction(t, srv.URL, testkit.Tokens[testkit.Instructor], entries[0], "complete", map[string]any{"instructorNotes": "private"}); status != 200 {
		t.Fatalf("complete: %d %v", status, apiErr)
	}
	if ev := wildcard.ExpectEvent(t, collections.OfficeHoursQueue+"/*", 2*time.Second); ev.Record["status"] != "completed" {
		t.Fatalf("completion event: %v", ev.Record)
	} else if notes, _ := ev.Record["instructorNotes"].(string); notes != "" {
		t.Fatal("the student received unshared notes in a realtime event")
	}
	watcher.ExpectNoEvent(t, 300*time.Millisecond)
	watcherAll.ExpectNoEvent(t, 100*time.Millisecond)
	wildcard.ExpectNoEvent(t, 100*time.Millisecond)

	// the instructor saw every change of their queue, notes included
	var staffEvents []testkit.RecordEvent
	for {
		ev, ok := staff.NextEvent(300 * time.Millisecond)
		if !ok {
			break
		}
		var data testkit.RecordEvent
		if err := json.Unmarshal(ev.Data, &data); err != nil {
			t.Fatal(err)
		}
		staffEvents = append(staffEvents, data)
	}
	if len(staffEvents) != 6 { // admitted, 2->1, 3->2; cancelled, 2->1; completed
		t.Fatalf("the instructor received %d events, want 6", len(staffEvents))
	}
	if last := staffEvents[len(staffEvents)-1].Record; last["instructorNotes"] != "private" {
		t.Fatalf("the instructor's completion event: %v", last)
	}
}
