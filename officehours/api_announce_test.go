package officehours_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

// TestOfficeHoursAnnounce: POST /api/office-hours/{id}/announce stores the
// staff's announcement on the slot, as plain text, and tells every
// student waiting with an in-app notice that links to the queue.
func TestOfficeHoursAnnounce(t *testing.T) {
	t.Parallel()
	announce := slotURL(idOpenSlot, "announce")
	runScenarios(t, []tests.ApiScenario{
		{
			Name:           "the instructor announces to everyone waiting",
			Method:         http.MethodPost,
			URL:            announce,
			Headers:        testkit.AuthHeader(testkit.Instructor),
			Body:           strings.NewReader(`{"message":"  Back in 5\u0007 minutes.  "}`),
			BeforeTestFunc: before(twoWaiting, withEntries(admitted(idDroppedEntry, testkit.IdDroppedStudent))),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"id":"` + idOpenSlot + `"`, `"announcement":"Back in 5 minutes."`, `"announcedAt":"2`,
			},
			ExpectedEvents: map[string]int{"OnRecordUpdate": 1, "OnRecordEnrich": 1},
			AfterTestFunc: after(
				slotHas(idOpenSlot, map[string]string{collections.OfficeHoursAnnouncement: "Back in 5 minutes."}),
				noticeSays(testkit.IdStudent, collections.TypeOfficeHoursAnnouncement, "Back in 5 minutes."),
				noticeSays(testkit.IdOtherStudent, collections.TypeOfficeHoursAnnouncement, "Back in 5 minutes."),
				noticeLinks(testkit.IdStudent, collections.TypeOfficeHoursAnnouncement, "/office-hours"),
				// an admitted student is no longer waiting
				notices(testkit.IdDroppedStudent, collections.TypeOfficeHoursAnnouncement, 0),
				queueIs(testkit.IdStudent, testkit.IdOtherStudent),
			),
		},
		{
			Name:           "a TA announces to a queue of their course",
			Method:         http.MethodPost,
			URL:            slotURL(idCourseSlot, "announce"),
			Headers:        testkit.AuthHeader(testkit.TA),
			Body:           strings.NewReader(`{"message":"Bring your code."}`),
			BeforeTestFunc: withEntries(inCourseSlot(waiting(idEntry, testkit.IdStudent, 1))...),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"announcement":"Bring your code."`,
			},
			AfterTestFunc: noticeSays(testkit.IdStudent, collections.TypeOfficeHoursAnnouncement, "Bring your code."),
		},
		{
			Name:            "nobody waiting: stored, no notice",
			Method:          http.MethodPost,
			URL:             announce,
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            strings.NewReader(`{"message":"Starting at 8:05 today."}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"announcement":"Starting at 8:05 today."`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 1},
			AfterTestFunc:   notices(testkit.IdStudent, collections.TypeOfficeHoursAnnouncement, 0),
		},
		{
			Name:            "a TA of another course cannot",
			Method:          http.MethodPost,
			URL:             slotURL(idCourseSlot, "announce"),
			Headers:         testkit.AuthHeader(testkit.OtherTA),
			Body:            strings.NewReader(`{"message":"Hello."}`),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"status":403`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a waiting student cannot",
			Method:          http.MethodPost,
			URL:             announce,
			Headers:         testkit.AuthHeader(testkit.Student),
			Body:            strings.NewReader(`{"message":"Hello."}`),
			BeforeTestFunc:  twoWaiting,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"status":403`},
			ExpectedEvents:  map[string]int{"*": 0},
			AfterTestFunc:   notices(testkit.IdOtherStudent, collections.TypeOfficeHoursAnnouncement, 0),
		},
		{
			Name:            "an announcement needs something visible",
			Method:          http.MethodPost,
			URL:             announce,
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            strings.NewReader(`{"message":" \u200b\u2066 "}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"message":{"code":"validation_required"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "an announcement is at most 280 characters",
			Method:          http.MethodPost,
			URL:             announce,
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            strings.NewReader(`{"message":"` + strings.Repeat("é", collections.MaxAnnouncementLength+1) + `"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"message":{"code":"validation_length_out_of_range"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	})
}

// TestOfficeHoursAnnounceRateLimit: announcements fan out to every
// student waiting, so one staff member gets a 429 after a burst, and
// another is not held back.
func TestOfficeHoursAnnounceRateLimit(t *testing.T) {
	t.Parallel()
	app := testkit.NewOfficeHoursApp(t)
	srv := testkit.StartServer(t, app)
	slot := testkit.CreateOfficeHours(t, app, testkit.IdInstructor, testkit.SlotDay, "15:00", "16:00", collections.OfficeHoursManualOpen)
	slot.Set(collections.OfficeHoursCourse, testkit.IdCourse)
	if err := app.Save(slot); err != nil {
		t.Fatal(err)
	}
	path := slotURL(slot.Id, "announce")
	statuses := []int{}
	for range 4 {
		status, _, _ := testkit.QueueCall(t, srv.URL, testkit.Tokens[testkit.Instructor], path, map[string]any{"message": "Soon."})
		statuses = append(statuses, status)
	}
	if statuses[0] != 200 || statuses[1] != 200 || statuses[2] != 200 || statuses[3] != http.StatusTooManyRequests {
		t.Fatalf("four announcements in a row answered %v, want three 200 and a 429", statuses)
	}
	if status, _, apiErr := testkit.QueueCall(t, srv.URL, testkit.Tokens[testkit.TA], path, map[string]any{"message": "I'm here too."}); status != 200 {
		t.Fatalf("the TA: %d %v", status, apiErr)
	}
}
