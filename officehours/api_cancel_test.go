package officehours_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

// TestOfficeHoursCancel: POST /api/office-hours/queue/{entryId}/cancel
// lets the student leave, or the instructor remove them (and tell them);
// those behind move up.
func TestOfficeHoursCancel(t *testing.T) {
	t.Parallel()
	runScenarios(t, []tests.ApiScenario{
		{
			Name:           "the instructor removes a waiting student, who is told",
			Method:         http.MethodPost,
			URL:            entryURL(idOtherEntry, "cancel"),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc: twoWaiting,
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"status":"cancelled"`, `"cancelledBy":"` + testkit.IdInstructor + `"`, `"position":0,`,
			},
			NotExpectedContent: []string{`"cancelledAt":""`},
			ExpectedEvents:     map[string]int{"OnRecordUpdate": 1, "OnRecordEnrich": 1},
			AfterTestFunc: after(
				queueIs(testkit.IdStudent),
				noticeSays(testkit.IdOtherStudent, collections.TypeOfficeHoursCancelled, "Ada Instructor cancelled your place in the queue."),
			),
		},
		{
			Name:           "a TA of the course removes a waiting student, who is told",
			Method:         http.MethodPost,
			URL:            entryURL(idEntry, "cancel"),
			Headers:        testkit.AuthHeader(testkit.TA),
			BeforeTestFunc: withEntries(inCourseSlot(waiting(idEntry, testkit.IdStudent, 1), waiting(idOtherEntry, testkit.IdOtherStudent, 2))...),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"status":"cancelled"`, `"cancelledBy":"` + testkit.IdTA + `"`,
			},
			AfterTestFunc: after(
				queueOf(idCourseSlot, testkit.IdOtherStudent),
				noticeSays(testkit.IdStudent, collections.TypeOfficeHoursCancelled, "Tom Helper cancelled your place in the queue."),
				noticeLinks(testkit.IdStudent, collections.TypeOfficeHoursCancelled, "/office-hours"),
			),
		},
		{
			Name:           "a student leaves by themselves, untold, and those behind move up",
			Method:         http.MethodPost,
			URL:            entryURL(idEntry, "cancel"),
			Headers:        testkit.AuthHeader(testkit.Student),
			BeforeTestFunc: twoWaiting,
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"status":"cancelled"`, `"cancelledBy":"` + testkit.IdStudent + `"`, `"position":0,`,
			},
			ExpectedEvents: map[string]int{"OnRecordUpdate": 2, "OnRecordEnrich": 1},
			AfterTestFunc: after(
				queueIs(testkit.IdOtherStudent),
				notices(testkit.IdStudent, collections.TypeOfficeHoursCancelled, 0),
			),
		},
		{
			Name:            "a student ends their visit",
			Method:          http.MethodPost,
			URL:             entryURL(idEntry, "cancel"),
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  withEntries(admitted(idEntry, testkit.IdStudent)),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"cancelled"`, `"cancelledBy":"` + testkit.IdStudent + `"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 1, "OnRecordEnrich": 1},
		},
		{
			Name:            "another student does not see the entry",
			Method:          http.MethodPost,
			URL:             entryURL(idEntry, "cancel"),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			BeforeTestFunc:  twoWaiting,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"message":"Queue entry not found."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:           "a cancelled entry cannot be cancelled twice",
			Method:         http.MethodPost,
			URL:            entryURL(idOtherEntry, "cancel"),
			Headers:        testkit.AuthHeader(testkit.OtherStudent),
			BeforeTestFunc: withEntries(entryFixture{id: idOtherEntry, student: testkit.IdOtherStudent, status: collections.QueueCancelled}),
			ExpectedStatus: 409,
			ExpectedContent: []string{
				`"code":"invalid_status"`, `"status":"cancelled"`, `"message":"Only a waiting or admitted entry can be cancelled."`,
			},
			ExpectedEvents: map[string]int{"*": 0},
		},
	})
}
