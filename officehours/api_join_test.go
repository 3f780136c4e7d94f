package officehours_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/officehours"
	"studyhall/testkit"
)

// TestOfficeHoursJoin: POST /api/office-hours/{id}/queue puts the caller at
// the back of an open slot's queue and tells the instructor; every refusal
// writes nothing.
func TestOfficeHoursJoin(t *testing.T) {
	t.Parallel()
	join := slotURL(idOpenSlot, "queue")
	runScenarios(t, []tests.ApiScenario{
		{
			Name:           "a student joins an empty queue, the question cleaned to plain text",
			Method:         http.MethodPost,
			URL:            join,
			Headers:        testkit.AuthHeader(testkit.Student),
			Body:           strings.NewReader(`{"question":"  How do I\u0000 factor x²-1?  "}`),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"status":"waiting"`, `"position":1,`, `"estimatedWaitSeconds":0,`,
				`"question":"How do I factor x²-1?"`, `"student":"` + testkit.IdStudent + `"`,
			},
			ExpectedEvents: map[string]int{"OnRecordCreate": 1, "OnRecordAfterCreateSuccess": 1, "OnRecordUpdate": 0, "OnRecordEnrich": 1},
			AfterTestFunc: after(
				queueIs(testkit.IdStudent),
				noticeSays(testkit.IdInstructor, collections.TypeOfficeHoursStudentJoined, "How do I factor x²-1?"),
				noticeLinks(testkit.IdInstructor, collections.TypeOfficeHoursStudentJoined, "/office-hours"),
			),
		},
		{
			Name:           "a second student joins behind the first, one average visit later",
			Method:         http.MethodPost,
			URL:            join,
			Headers:        testkit.AuthHeader(testkit.OtherStudent),
			Body:           strings.NewReader(`{}`),
			BeforeTestFunc: withEntries(waiting(idEntry, testkit.IdStudent, 1)),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"position":2,`, `"estimatedWaitSeconds":` + strconv.Itoa(officehours.DefaultVisitSeconds) + `,`,
			},
			ExpectedEvents: map[string]int{"OnRecordCreate": 1, "OnRecordAfterCreateSuccess": 1, "OnRecordUpdate": 0, "OnRecordEnrich": 1},
			AfterTestFunc: after(
				queueIs(testkit.IdStudent, testkit.IdOtherStudent),
				noticeSays(testkit.IdInstructor, collections.TypeOfficeHoursStudentJoined, "Position 2 in your queue."),
			),
		},
		{
			Name:            "a completed visit frees the student to queue again",
			Method:          http.MethodPost,
			URL:             join,
			Headers:         testkit.AuthHeader(testkit.Student),
			Body:            strings.NewReader(`{"question":"one more thing"}`),
			BeforeTestFunc:  withEntries(entryFixture{id: idEarlierVisit, student: testkit.IdStudent, status: collections.QueueCompleted}),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"position":1,`, `"question":"one more thing"`},
			ExpectedEvents:  map[string]int{"OnRecordCreate": 1, "OnRecordAfterCreateSuccess": 1, "OnRecordUpdate": 0, "OnRecordEnrich": 1},
			AfterTestFunc:   queueIs(testkit.IdStudent),
		},
		{
			Name:            "a student with an active place is refused",
			Method:          http.MethodPost,
			URL:             join,
			Headers:         testkit.AuthHeader(testkit.Student),
			Body:            strings.NewReader(`{"question":"again"}`),
			BeforeTestFunc:  withEntries(waiting(idEntry, testkit.IdStudent, 1)),
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"already_queued"`, `"message":"You already have an active place in this instructor's queue."`},
			ExpectedEvents:  map[string]int{"*": 0},
			AfterTestFunc:   notices(testkit.IdInstructor, collections.TypeOfficeHoursStudentJoined, 0),
		},
		{
			Name:            "so is one in a visit with the instructor",
			Method:          http.MethodPost,
			URL:             join,
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  withEntries(admitted(idEntry, testkit.IdStudent)),
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"already_queued"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a slot closed by hand takes no joins",
			Method:          http.MethodPost,
			URL:             slotURL(idClosedSlot, "queue"),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"slot_closed"`, `"message":"These office hours are closed right now."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "the instructor cannot join their own queue",
			Method:          http.MethodPost,
			URL:             join,
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"code":"own_queue"`, `"message":"You cannot join the queue of office hours you run."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a TA cannot join a queue of their course",
			Method:          http.MethodPost,
			URL:             slotURL(idCourseSlot, "queue"),
			Headers:         testkit.AuthHeader(testkit.TA),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"code":"own_queue"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a TA of another course joins like any student",
			Method:          http.MethodPost,
			URL:             slotURL(idCourseSlot, "queue"),
			Headers:         testkit.AuthHeader(testkit.OtherTA),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"position":1,`},
			AfterTestFunc:   queueOf(idCourseSlot, testkit.IdOtherTA),
		},
		{
			Name:           "a daily limit reached: 409 visit_limit",
			Method:         http.MethodPost,
			URL:            join,
			Headers:        testkit.AuthHeader(testkit.Student),
			Body:           strings.NewReader(`{"question":"a third time"}`),
			BeforeTestFunc: before(withSlot(idOpenSlot, map[string]any{collections.OfficeHoursMaxVisitsPerDay: 2}), withEntries(visitAt(idEarlierVisit, time.Second), visitAt(idDroppedEntry, 2*time.Second))),
			ExpectedStatus: 409,
			ExpectedContent: []string{
				`"code":"visit_limit"`, `"limit":2`, `"message":"You have reached today's limit of visits to these office hours."`,
			},
			ExpectedEvents: map[string]int{"*": 0},
			AfterTestFunc:  queueIs(),
		},
		{
			Name:            "visits of other days and cancelled places do not count",
			Method:          http.MethodPost,
			URL:             join,
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  before(withSlot(idOpenSlot, map[string]any{collections.OfficeHoursMaxVisitsPerDay: 1}), withEntries(visitAt(idEarlierVisit, -time.Second), entryFixture{id: idDroppedEntry, student: testkit.IdStudent, status: collections.QueueCancelled})),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"position":1,`},
			AfterTestFunc:   queueIs(testkit.IdStudent),
		},
		{
			Name:            "another student is not held back by someone else's visits",
			Method:          http.MethodPost,
			URL:             join,
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			BeforeTestFunc:  before(withSlot(idOpenSlot, map[string]any{collections.OfficeHoursMaxVisitsPerDay: 1}), withEntries(visitAt(idEarlierVisit, time.Second))),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"position":1,`},
		},
		{
			Name:            "a question is at most MaxQuestionLength characters",
			Method:          http.MethodPost,
			URL:             join,
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			Body:            strings.NewReader(`{"question":"` + strings.Repeat("x", collections.MaxQuestionLength+1) + `"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"question":{"code":"validation_length_too_long"`, `"message":"Some fields are not valid; see data for each."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a body that is not an object is refused",
			Method:          http.MethodPost,
			URL:             join,
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			Body:            strings.NewReader(`"not an object"`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"message":"The request body must be a JSON object sent as application/json."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a missing slot is not found",
			Method:          http.MethodPost,
			URL:             slotURL("nosuchslot00000", "queue"),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"message":"Office hours not found."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "students do not see an inactive slot at all",
			Method:          http.MethodPost,
			URL:             slotURL(testkit.IdInactiveSlot, "queue"),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"message":"Office hours not found."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a guest must sign in",
			Method:          http.MethodPost,
			URL:             join,
			ExpectedStatus:  401,
			ExpectedContent: []string{`"message":"The request requires valid record authorization token."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	})
}

// visitAt is a completed visit of testkit.IdStudent admitted at offset
// from the start of today in London, the zone of the slot fixtures:
// whatever the time of day, a small offset is today, a negative one
// yesterday.
func visitAt(id string, offset time.Duration) entryFixture {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	now := time.Now().In(london)
	at := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, london).Add(offset)
	return entryFixture{id: id, student: testkit.IdStudent, status: collections.QueueCompleted, fields: map[string]any{
		collections.QueueAdmittedAt:  at,
		collections.QueueCompletedAt: at.Add(30 * time.Second),
	}}
}
