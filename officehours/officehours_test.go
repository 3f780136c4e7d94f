package officehours_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/commands"
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

// TestOfficeHoursQueueFlow walks one queue through every route over real
// HTTP: joins, every refusal, admit with its chat room, complete with its
// duration and private notes, cancellations, and the notices each sends.
func TestOfficeHoursQueueFlow(t *testing.T) {
	t.Parallel()
	app := testkit.NewOfficeHoursApp(t)
	srv := testkit.StartServer(t, app)
	open := testkit.CreateOfficeHours(t, app, testkit.IdInstructor, testkit.SlotDay, "08:00", "09:00", collections.OfficeHoursManualOpen)
	closed := testkit.CreateOfficeHours(t, app, testkit.IdInstructor, testkit.SlotDay, "09:00", "10:00", collections.OfficeHoursManualClosed)
	stu, other, ins, otherIns := testkit.Tokens[testkit.Student], testkit.Tokens[testkit.OtherStudent], testkit.Tokens[testkit.Instructor], testkit.Tokens[testkit.OtherInstructor]

	expectError := func(what string, status int, apiErr testkit.QueueAPIError, wantStatus int, wantCode string) {
		t.Helper()
		if status != wantStatus {
			t.Fatalf("%s: status %d (%v), want %d", what, status, apiErr, wantStatus)
		}
		if wantCode != "" && apiErr.Data["code"] != wantCode {
			t.Fatalf("%s: data %v, want code %q", what, apiErr.Data, wantCode)
		}
		if !strings.HasSuffix(apiErr.Message, ".") {
			t.Errorf("%s: message %q is not a sentence", what, apiErr.Message)
		}
	}

	status, first, apiErr := testkit.JoinQueue(t, srv.URL, stu, open.Id, "  How do I\x00 factor x²-1?  ")
	if status != 200 {
		t.Fatalf("join: %d %v", status, apiErr)
	}
	if first["status"] != "waiting" || first["position"] != 1.0 || first["estimatedWaitSeconds"] != 0.0 || first["question"] != "How do I factor x²-1?" {
		t.Fatalf("join: %v", first)
	}
	firstId := first["id"].(string)

	status, _, apiErr = testkit.JoinQueue(t, srv.URL, stu, open.Id, "again")
	expectError("second join", status, apiErr, 409, "already_queued")
	status, _, apiErr = testkit.JoinQueue(t, srv.URL, stu, closed.Id, "")
	expectError("join a closed slot", status, apiErr, 409, "slot_closed")
	status, _, apiErr = testkit.JoinQueue(t, srv.URL, ins, open.Id, "")
	expectError("join own queue", status, apiErr, 403, "own_queue")
	status, _, apiErr = testkit.JoinQueue(t, srv.URL, other, open.Id, strings.Repeat("x", collections.MaxQuestionLength+1))
	expectError("join with a long question", status, apiErr, 400, "")
	if _, ok := apiErr.Data["question"]; !ok {
		t.Errorf("long question: no field error in %v", apiErr.Data)
	}
	status, _, apiErr = testkit.JoinQueue(t, srv.URL, other, "nosuchslot0000", "")
	expectError("join a missing slot", status, apiErr, 404, "")
	status, _, apiErr = testkit.JoinQueue(t, srv.URL, "", open.Id, "")
	expectError("join as a guest", status, apiErr, 401, "")
	status, _, apiErr = testkit.QueueCall(t, srv.URL, other, "/api/office-hours/"+open.Id+"/queue", "not an object")
	expectError("join with a bad body", status, apiErr, 400, "")

	status, second, apiErr := testkit.JoinQueue(t, srv.URL, other, open.Id, "")
	if status != 200 || second["position"] != 2.0 || second["estimatedWaitSeconds"] != float64(officehours.DefaultVisitSeconds) {
		t.Fatalf("second student joins: %d %v %v", status, second, apiErr)
	}
	secondId := second["id"].(string)
	testkit.CheckQueue(t, app, open.Id, []string{testkit.IdStudent, testkit.IdOtherStudent}, officehours.DefaultVisitSeconds)

	// wrong roles
	status, _, apiErr = testkit.EntryAction(t, srv.URL, stu, firstId, "admit", nil)
	expectError("a student admits", status, apiErr, 403, "")
	status, _, apiErr = testkit.EntryAction(t, srv.URL, otherIns, firstId, "admit", nil)
	expectError("another instructor admits", status, apiErr, 404, "")
	status, _, apiErr = testkit.EntryAction(t, srv.URL, other, firstId, "cancel", nil)
	expectError("another student cancels", status, apiErr, 404, "")
	status, _, apiErr = testkit.EntryAction(t, srv.URL, ins, firstId, "complete", nil)
	expectError("complete a waiting entry", status, apiErr, 409, "invalid_status")

	status, admitted, apiErr := testkit.EntryAction(t, srv.URL, ins, firstId, "admit", nil)
	if status != 200 || admitted["status"] != "admitted" || admitted["position"] != 0.0 || admitted["chatRoom"] == "" || admitted["admittedAt"] == "" {
		t.Fatalf("admit: %d %v %v", status, admitted, apiErr)
	}
	room, err := app.FindRecordById(collections.ChatRooms, admitted["chatRoom"].(string))
	if err != nil {
		t.Fatalf("admit opened no chat room: %v", err)
	}
	participants := room.GetStringSlice(collections.ChatRoomParticipants)
	slices.Sort(participants)
	if room.GetString(collections.ChatRoomType) != collections.ChatRoomTypeOfficeHours || !slices.Equal(participants, []string{testkit.IdInstructor, testkit.IdStudent}) {
		t.Fatalf("chat room %s with %v", room.GetString(collections.ChatRoomType), participants)
	}
	testkit.CheckQueue(t, app, open.Id, []string{testkit.IdOtherStudent}, officehours.DefaultVisitSeconds)
	status, _, apiErr = testkit.EntryAction(t, srv.URL, ins, firstId, "admit", nil)
	expectError("admit twice", status, apiErr, 409, "invalid_status")
	status, _, apiErr = testkit.EntryAction(t, srv.URL, stu, firstId, "complete", nil)
	expectError("the student completes", status, apiErr, 403, "")
	status, _, apiErr = testkit.EntryAction(t, srv.URL, ins, firstId, "complete", map[string]any{"instructorNotes": strings.Repeat("n", collections.MaxInstructorNotesLength+1)})
	expectError("complete with long notes", status, apiErr, 400, "")

	status, completed, apiErr := testkit.EntryAction(t, srv.URL, ins, firstId, "complete", map[string]any{"instructorNotes": "Needs to review factoring."})
	if status != 200 || completed["status"] != "completed" || completed["completedAt"] == "" || completed["instructorNotes"] != "Needs to review factoring." {
		t.Fatalf("complete: %d %v %v", status, completed, apiErr)
	}
	if d, ok := completed["durationSeconds"].(float64); !ok || d < 0 {
		t.Fatalf("complete: durationSeconds %v", completed["durationSeconds"])
	}

	// the notes stay with the instructor until shared
	var seen map[string]any
	testkit.ApiRequest(t, srv.URL, http.MethodGet, testkit.RecordsURL(collections.OfficeHoursQueue, firstId), stu, nil, &seen)
	if _, leaked := seen["instructorNotes"]; leaked || seen["id"] != firstId {
		t.Fatalf("the student sees %v", seen)
	}
	testkit.ApiRequest(t, srv.URL, http.MethodGet, testkit.RecordsURL(collections.OfficeHoursQueue, firstId), ins, nil, &seen)
	if seen["instructorNotes"] != "Needs to review factoring." {
		t.Fatalf("the instructor sees %v", seen)
	}
	var list struct {
		TotalItems int `json:"totalItems"`
	}
	testkit.ApiRequest(t, srv.URL, http.MethodGet, testkit.RecordsURL(collections.OfficeHoursQueue), other, nil, &list)
	if list.TotalItems != 1 {
		t.Fatalf("the other student lists %d entries, want their own 1", list.TotalItems)
	}

	status, cancelled, apiErr := testkit.EntryAction(t, srv.URL, ins, secondId, "cancel", nil)
	if status != 200 || cancelled["status"] != "cancelled" || cancelled["cancelledBy"] != testkit.IdInstructor || cancelled["position"] != 0.0 {
		t.Fatalf("instructor cancels: %d %v %v", status, cancelled, apiErr)
	}
	status, _, apiErr = testkit.EntryAction(t, srv.URL, other, secondId, "cancel", nil)
	expectError("cancel twice", status, apiErr, 409, "invalid_status")

	// a completed visit frees the student to queue again; they leave by themselves
	status, again, apiErr := testkit.JoinQueue(t, srv.URL, stu, open.Id, "one more thing")
	if status != 200 || again["position"] != 1.0 {
		t.Fatalf("join after a visit: %d %v %v", status, again, apiErr)
	}
	status, left, _ := testkit.EntryAction(t, srv.URL, stu, again["id"].(string), "cancel", nil)
	if status != 200 || left["cancelledBy"] != testkit.IdStudent {
		t.Fatalf("student cancels: %d %v", status, left)
	}

	// shared notes reach the student
	status, third, apiErr := testkit.JoinQueue(t, srv.URL, stu, open.Id, "")
	if status != 200 {
		t.Fatalf("third join: %d %v", status, apiErr)
	}
	thirdId := third["id"].(string)
	if status, _, apiErr := testkit.EntryAction(t, srv.URL, ins, thirdId, "admit", nil); status != 200 {
		t.Fatalf("third admit: %d %v", status, apiErr)
	}
	status, shared, apiErr := testkit.EntryAction(t, srv.URL, ins, thirdId, "complete", map[string]any{"instructorNotes": "Great progress.", "notesShared": true})
	if status != 200 || shared["notesShared"] != true || shared["chatRoom"] != admitted["chatRoom"] {
		t.Fatalf("complete with shared notes: %d %v %v (the pair's room is reused)", status, shared, apiErr)
	}
	seen = nil
	testkit.ApiRequest(t, srv.URL, http.MethodGet, testkit.RecordsURL(collections.OfficeHoursQueue, thirdId), stu, nil, &seen)
	if seen["instructorNotes"] != "Great progress." {
		t.Fatalf("the student does not see shared notes: %v", seen)
	}

	wantNotices := []struct {
		user, kind string
		want       int
	}{
		{testkit.IdInstructor, collections.TypeOfficeHoursStudentJoined, 4},
		{testkit.IdStudent, collections.TypeOfficeHoursAdmitted, 2},
		{testkit.IdStudent, collections.TypeOfficeHoursCompleted, 2},
		{testkit.IdStudent, collections.TypeOfficeHoursCancelled, 0}, // they cancelled themselves
		{testkit.IdOtherStudent, collections.TypeOfficeHoursCancelled, 1},
	}
	for _, w := range wantNotices {
		if got := testkit.QueueNoticeCount(t, app, w.user, w.kind); got != w.want {
			t.Errorf("%s has %d %s notifications, want %d", w.user, got, w.kind, w.want)
		}
	}
}

// TestOfficeHoursOpenClose: the manual routes, their roles, and closing or
// deactivating a slot cancelling its waiting entries.
func TestOfficeHoursOpenClose(t *testing.T) {
	t.Parallel()
	app := testkit.NewOfficeHoursApp(t)
	srv := testkit.StartServer(t, app)
	slot := testkit.CreateOfficeHours(t, app, testkit.IdInstructor, testkit.SlotDay, "11:00", "12:00", collections.OfficeHoursManualClosed)
	path := "/api/office-hours/" + slot.Id

	for _, c := range []struct {
		who    string
		token  string
		action string
		want   int
	}{
		{"a student", testkit.Tokens[testkit.Student], "open", 403},
		{"another instructor", testkit.Tokens[testkit.OtherInstructor], "open", 403},
		{"a guest", "", "close", 401},
		{"a student", testkit.Tokens[testkit.Student], "close", 403},
	} {
		if status, _, _ := testkit.QueueCall(t, srv.URL, c.token, path+"/"+c.action, nil); status != c.want {
			t.Errorf("%s: %s answers %d, want %d", c.who, c.action, status, c.want)
		}
	}
	if status, _, _ := testkit.QueueCall(t, srv.URL, testkit.Tokens[testkit.Instructor], "/api/office-hours/nosuchslot0000/open", nil); status != 404 {
		t.Errorf("open a missing slot: %d", status)
	}

	status, opened, apiErr := testkit.QueueCall(t, srv.URL, testkit.Tokens[testkit.Instructor], path+"/open", nil)
	if status != 200 || opened["manualState"] != "open" || opened["isOpen"] != true || opened["manualUntil"] == "" {
		t.Fatalf("open: %d %v %v", status, opened, apiErr)
	}

	students, studentTokens := testkit.CreateQueueStudents(t, app, 3, "closer")
	for i := range students {
		if status, _, apiErr := testkit.JoinQueue(t, srv.URL, studentTokens[i], slot.Id, ""); status != 200 {
			t.Fatalf("join %d: %d %v", i, status, apiErr)
		}
	}
	status, closedSlot, apiErr := testkit.QueueCall(t, srv.URL, testkit.Tokens[testkit.Instructor], path+"/close", nil)
	if status != 200 || closedSlot["manualState"] != "closed" || closedSlot["isOpen"] != false {
		t.Fatalf("close: %d %v %v", status, closedSlot, apiErr)
	}
	if n := testkit.CountRecords(t, app, collections.OfficeHoursQueue, "officeHours = '"+slot.Id+"' && status = 'cancelled' && cancelledBy = '"+testkit.IdInstructor+"' && position = 0"); n != 3 {
		t.Fatalf("close cancelled %d of 3 waiting entries", n)
	}
	for _, s := range students {
		if got := testkit.QueueNoticeCount(t, app, s.Id, collections.TypeOfficeHoursCancelled); got != 1 {
			t.Errorf("student %s got %d cancellation notices", s.Id, got)
		}
	}
	status, _, apiErr = testkit.JoinQueue(t, srv.URL, studentTokens[0], slot.Id, "")
	if status != 409 || apiErr.Data["code"] != "slot_closed" {
		t.Fatalf("join after close: %d %v", status, apiErr)
	}

	// reopen, queue again, then deactivate through the records API
	if status, _, _ := testkit.QueueCall(t, srv.URL, testkit.Tokens[testkit.Instructor], path+"/open", nil); status != 200 {
		t.Fatalf("reopen: %d", status)
	}
	if status, _, apiErr := testkit.JoinQueue(t, srv.URL, studentTokens[1], slot.Id, ""); status != 200 {
		t.Fatalf("join after reopen: %d %v", status, apiErr)
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.OfficeHours, slot.Id), testkit.Tokens[testkit.Instructor], map[string]any{"active": false}, nil); status != 200 {
		t.Fatalf("deactivate: %d", status)
	}
	if n := testkit.CountRecords(t, app, collections.OfficeHoursQueue, "officeHours = '"+slot.Id+"' && status = 'waiting'"); n != 0 {
		t.Fatalf("%d entries still waiting after deactivation", n)
	}
	status, _, apiErr = testkit.QueueCall(t, srv.URL, testkit.Tokens[testkit.Instructor], path+"/open", nil)
	if status != 409 || apiErr.Data["code"] != "slot_inactive" {
		t.Fatalf("open an inactive slot: %d %v", status, apiErr)
	}
	// students no longer see it at all
	status, _, _ = testkit.JoinQueue(t, srv.URL, studentTokens[2], slot.Id, "")
	if status != 404 {
		t.Fatalf("join an inactive slot: %d", status)
	}
}

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

func mustFindUser(t testing.TB, app core.App, id string) *core.Record {
	t.Helper()
	record, err := app.FindRecordById(collections.Users, id)
	if err != nil {
		t.Fatal(err)
	}
	return record
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
