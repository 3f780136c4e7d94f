package officehours_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

// TestOfficeHoursComplete: POST /api/office-hours/queue/{entryId}/complete
// lets the instructor end a visit with private or shared notes; its length
// is kept and the student told.
func TestOfficeHoursComplete(t *testing.T) {
	t.Parallel()
	inVisit := withEntries(admitted(idEntry, testkit.IdStudent))
	runScenarios(t, []tests.ApiScenario{
		{
			Name:           "the instructor completes a visit with private notes",
			Method:         http.MethodPost,
			URL:            entryURL(idEntry, "complete"),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			Body:           strings.NewReader(`{"instructorNotes":"Needs to review factoring."}`),
			BeforeTestFunc: inVisit,
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"status":"completed"`, `"instructorNotes":"Needs to review factoring."`, `"notesShared":false`,
			},
			NotExpectedContent: []string{`"completedAt":""`},
			ExpectedEvents:     map[string]int{"OnRecordUpdate": 1, "OnRecordCreate": 0, "OnRecordEnrich": 1},
			AfterTestFunc: after(
				visitLasted(90),
				noticeSays(testkit.IdStudent, collections.TypeOfficeHoursCompleted, "Your visit with Ada Instructor lasted 2 min."),
			),
		},
		{
			Name:           "a TA of the course completes a visit and writes its notes",
			Method:         http.MethodPost,
			URL:            entryURL(idEntry, "complete"),
			Headers:        testkit.AuthHeader(testkit.TA),
			Body:           strings.NewReader(`{"instructorNotes":"Walked through recursion."}`),
			BeforeTestFunc: withEntries(inCourseSlot(admitted(idEntry, testkit.IdStudent))...),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"status":"completed"`, `"instructorNotes":"Walked through recursion."`,
			},
			ExpectedEvents: map[string]int{"OnRecordUpdate": 1, "OnRecordEnrich": 1},
			AfterTestFunc: after(
				noticeSays(testkit.IdStudent, collections.TypeOfficeHoursCompleted, "Your visit with Tom Helper lasted 2 min."),
				noticeLinks(testkit.IdStudent, collections.TypeOfficeHoursCompleted, "/office-hours"),
			),
		},
		{
			Name:            "shared notes",
			Method:          http.MethodPost,
			URL:             entryURL(idEntry, "complete"),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            strings.NewReader(`{"instructorNotes":"Great progress.","notesShared":true}`),
			BeforeTestFunc:  inVisit,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"completed"`, `"instructorNotes":"Great progress."`, `"notesShared":true`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 1, "OnRecordEnrich": 1},
			AfterTestFunc:   notices(testkit.IdStudent, collections.TypeOfficeHoursCompleted, 1),
		},
		{
			Name:    "the visit's length changes the estimates of those waiting",
			Method:  http.MethodPost,
			URL:     entryURL(idEntry, "complete"),
			Headers: testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc: withEntries(admitted(idEntry, testkit.IdStudent),
				waiting(idOtherEntry, testkit.IdOtherStudent, 1), waiting(idDroppedEntry, testkit.IdDroppedStudent, 2)),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"completed"`},
			// the entry, and the second in line: 5 min to wait becomes 1.5
			ExpectedEvents: map[string]int{"OnRecordUpdate": 2, "OnRecordEnrich": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				visitLasted(90)(t, app, res)
				entry, err := app.FindRecordById(collections.OfficeHoursQueue, idEntry)
				if err != nil {
					t.Fatal(err)
				}
				testkit.CheckQueue(t, app, idOpenSlot, []string{testkit.IdOtherStudent, testkit.IdDroppedStudent},
					entry.GetInt(collections.QueueDurationSeconds))
			},
		},
		{
			Name:            "a waiting entry cannot be completed",
			Method:          http.MethodPost,
			URL:             entryURL(idEntry, "complete"),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withEntries(waiting(idEntry, testkit.IdStudent, 1)),
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`, `"status":"waiting"`, `"message":"Only an admitted entry can be completed."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "the student cannot complete their visit",
			Method:          http.MethodPost,
			URL:             entryURL(idEntry, "complete"),
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  inVisit,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"message":"Only the instructor or a teaching assistant can complete a visit."`},
			ExpectedEvents:  map[string]int{"*": 0},
			AfterTestFunc:   notices(testkit.IdStudent, collections.TypeOfficeHoursCompleted, 0),
		},
		{
			Name:           "notes are at most MaxInstructorNotesLength characters",
			Method:         http.MethodPost,
			URL:            entryURL(idEntry, "complete"),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			Body:           strings.NewReader(`{"instructorNotes":"` + strings.Repeat("n", collections.MaxInstructorNotesLength+1) + `"}`),
			BeforeTestFunc: inVisit,
			ExpectedStatus: 400,
			ExpectedContent: []string{
				`"instructorNotes":{"code":"validation_length_too_long"`, `"message":"Some fields are not valid; see data for each."`,
			},
			ExpectedEvents: map[string]int{"*": 0},
		},
	})
}

// visitLasted checks that idEntry's visit lasted about seconds.
func visitLasted(seconds int) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		t.Helper()
		entry, err := app.FindRecordById(collections.OfficeHoursQueue, idEntry)
		if err != nil {
			t.Fatal(err)
		}
		if got := entry.GetInt(collections.QueueDurationSeconds); got < seconds || got > seconds+5 {
			t.Fatalf("durationSeconds %d, want about %d", got, seconds)
		}
	}
}
