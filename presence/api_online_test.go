package presence_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/testkit"
)

// TestPresenceOnlineAPI: the online list, of everyone or of a course the
// caller can see, after heartbeats from two students and an instructor.
func TestPresenceOnlineAPI(t *testing.T) {
	t.Parallel()

	heartbeats := func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		for _, actor := range []string{testkit.Student, testkit.OtherStudent, testkit.Instructor} {
			testkit.ServeAs(t, e, actor, http.MethodPost, "/api/presence/heartbeat", "{}", http.StatusOK)
		}
	}
	scenarios := []tests.ApiScenario{
		{
			Name:           "everyone online",
			Method:         http.MethodGet,
			URL:            "/api/presence/online",
			Headers:        testkit.AuthHeader(testkit.Student),
			BeforeTestFunc: heartbeats,
			ExpectedStatus: 200,
			ExpectedContent: []string{`"id":"` + testkit.IdStudent + `"`, `"id":"` + testkit.IdOtherStudent + `"`,
				`"id":"` + testkit.IdInstructor + `"`},
			NotExpectedContent: []string{`"email"`},
			ExpectedEvents:     map[string]int{"*": 0},
		},
		{
			Name:               "online in a course: its instructor and students only",
			Method:             http.MethodGet,
			URL:                "/api/presence/online?course=" + testkit.IdCourse,
			Headers:            testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:     heartbeats,
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"id":"` + testkit.IdStudent + `"`, `"id":"` + testkit.IdInstructor + `"`},
			NotExpectedContent: []string{`"email"`, testkit.IdOtherStudent},
			ExpectedEvents:     map[string]int{"*": 0},
		},
		{
			Name:            "an unknown course",
			Method:          http.MethodGet,
			URL:             "/api/presence/online?course=nosuchcourse00",
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a draft course of someone else",
			Method:          http.MethodGet,
			URL:             "/api/presence/online?course=" + testkit.IdDraftCourse,
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = testkit.NewTestApp
		s.Test(t)
	}
}
