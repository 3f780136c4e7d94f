package officehours_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/testkit"
)

// TestOfficeHoursPause: POST /api/office-hours/{id}/pause and /resume let
// the slot's staff (its instructor, and the TAs of its course) stop new
// joins and keep the line; a paused queue refuses joins with 409
// queue_paused; closing ends the pause with the line.
func TestOfficeHoursPause(t *testing.T) {
	t.Parallel()
	pausedNow := map[string]any{collections.OfficeHoursPausedAt: types.NowDateTime()}
	runScenarios(t, []tests.ApiScenario{
		{
			Name:               "the instructor pauses: everyone waiting keeps their place",
			Method:             http.MethodPost,
			URL:                slotURL(idOpenSlot, "pause"),
			Headers:            testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:     twoWaiting,
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"id":"` + idOpenSlot + `"`, `"pausedAt":"2`},
			ExpectedEvents:     map[string]int{"OnRecordUpdate": 1, "OnRecordEnrich": 1},
			NotExpectedContent: []string{`"pausedAt":""`},
			AfterTestFunc: after(
				slotSet(idOpenSlot, collections.OfficeHoursPausedAt, true),
				queueIs(testkit.IdStudent, testkit.IdOtherStudent),
			),
		},
		{
			Name:            "a TA pauses a queue of their course",
			Method:          http.MethodPost,
			URL:             slotURL(idCourseSlot, "pause"),
			Headers:         testkit.AuthHeader(testkit.TA),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"pausedAt":"2`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 1},
			AfterTestFunc:   slotSet(idCourseSlot, collections.OfficeHoursPausedAt, true),
		},
		{
			Name:            "a TA of another course cannot",
			Method:          http.MethodPost,
			URL:             slotURL(idCourseSlot, "pause"),
			Headers:         testkit.AuthHeader(testkit.OtherTA),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"message":"Only the instructor and teaching assistants of these office hours can do that."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a slot without a course is the instructor's alone",
			Method:          http.MethodPost,
			URL:             slotURL(idOpenSlot, "pause"),
			Headers:         testkit.AuthHeader(testkit.TA),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"status":403`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a student cannot pause",
			Method:          http.MethodPost,
			URL:             slotURL(idOpenSlot, "pause"),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"status":403`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "pausing a paused queue changes nothing",
			Method:          http.MethodPost,
			URL:             slotURL(idOpenSlot, "pause"),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withSlot(idOpenSlot, pausedNow),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"pausedAt":"2`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 0, "OnRecordEnrich": 1},
		},
		{
			Name:            "a paused queue refuses joins and keeps its line",
			Method:          http.MethodPost,
			URL:             slotURL(idOpenSlot, "queue"),
			Headers:         testkit.AuthHeader(testkit.IdDroppedStudent),
			Body:            strings.NewReader(`{"question":"Can I still come?"}`),
			BeforeTestFunc:  before(twoWaiting, withSlot(idOpenSlot, pausedNow)),
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"queue_paused"`, `"message":"The queue is paused: nobody new can join until the staff resume it."`},
			ExpectedEvents:  map[string]int{"*": 0},
			AfterTestFunc: after(
				queueIs(testkit.IdStudent, testkit.IdOtherStudent),
				notices(testkit.IdInstructor, collections.TypeOfficeHoursStudentJoined, 0),
			),
		},
		{
			Name:            "the instructor resumes",
			Method:          http.MethodPost,
			URL:             slotURL(idOpenSlot, "resume"),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  before(twoWaiting, withSlot(idOpenSlot, pausedNow)),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"pausedAt":""`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 1},
			AfterTestFunc: after(
				slotSet(idOpenSlot, collections.OfficeHoursPausedAt, false),
				queueIs(testkit.IdStudent, testkit.IdOtherStudent),
			),
		},
		{
			Name:            "a TA resumes a queue of their course",
			Method:          http.MethodPost,
			URL:             slotURL(idCourseSlot, "resume"),
			Headers:         testkit.AuthHeader(testkit.TA),
			BeforeTestFunc:  withSlot(idCourseSlot, pausedNow),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"pausedAt":""`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 1},
		},
		{
			Name:            "a student cannot resume",
			Method:          http.MethodPost,
			URL:             slotURL(idOpenSlot, "resume"),
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  withSlot(idOpenSlot, pausedNow),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"status":403`},
			ExpectedEvents:  map[string]int{"*": 0},
			AfterTestFunc:   slotSet(idOpenSlot, collections.OfficeHoursPausedAt, true),
		},
		{
			Name:           "closing a paused queue cancels the line and ends the pause and the announcement",
			Method:         http.MethodPost,
			URL:            slotURL(idOpenSlot, "close"),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc: before(twoWaiting, withSlot(idOpenSlot, map[string]any{collections.OfficeHoursPausedAt: types.NowDateTime(), collections.OfficeHoursAnnouncement: "Short break.", collections.OfficeHoursAnnouncedAt: types.NowDateTime()})),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"pausedAt":""`, `"announcement":""`, `"announcedAt":""`, `"manualState":"closed"`,
			},
			AfterTestFunc: after(
				queueIs(),
				notices(testkit.IdStudent, collections.TypeOfficeHoursCancelled, 1),
			),
		},
		{
			Name:            "a TA closes a queue of their course",
			Method:          http.MethodPost,
			URL:             slotURL(idCourseSlot, "close"),
			Headers:         testkit.AuthHeader(testkit.TA),
			BeforeTestFunc:  withEntries(inCourseSlot(waiting(idEntry, testkit.IdStudent, 1))...),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"manualState":"closed"`},
			AfterTestFunc: after(
				queueOf(idCourseSlot),
				entryCancelledBy(idEntry, testkit.IdTA),
			),
		},
	})
}
