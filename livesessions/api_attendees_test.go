package livesessions_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/testkit"
)

// TestLiveSessionAttendees covers GET /api/live-sessions/{id}/attendees:
// who is in, shown only to those who may see the session.
func TestLiveSessionAttendees(t *testing.T) {
	t.Parallel()

	scenarios := []tests.ApiScenario{
		{
			Name:               "a viewer lists who is in: id, name, avatar and presence only",
			Method:             http.MethodGet,
			URL:                testkit.SessionURL(testkit.IdSessionFull, "attendees"),
			Headers:            testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:     withLiveSessions,
			ExpectedStatus:     200,
			ExpectedContent:    []string{`{"items":[{"id":"` + testkit.IdOtherStudent + `","name":"Olive Other","avatar":"","status":"offline"}]}`},
			NotExpectedContent: []string{"joinedAt", "email", "@studyhall.test"},
			ExpectedEvents:     map[string]int{"*": 0},
		},
		{
			Name:            "who is in a course session is hidden from those who cannot see it",
			Method:          http.MethodGet,
			URL:             testkit.SessionURL(testkit.IdSessionLive, "attendees"),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			BeforeTestFunc:  withLiveSessions,
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
