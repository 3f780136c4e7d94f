package livesessions_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

// TestLiveSessionRecordingLink: the recording link is the one field the
// owner may set once the session has ended (the exception to "updates only
// while scheduled"); anything else on an ended session stays refused, and
// so does the link on a live or cancelled one, or by anyone but the owner.
func TestLiveSessionRecordingLink(t *testing.T) {
	t.Parallel()

	const recording = "https://video.example.com/rec/algebra-1"
	ended := testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionEnded)
	unchanged := func(t testing.TB, app *tests.TestApp, res *http.Response) {
		session := testkit.FindLiveSession(t, app, testkit.IdSessionEnded)
		if session.GetString(collections.LiveSessionRecordingURL) != "" || session.GetString(collections.LiveSessionTitle) != "Session "+testkit.IdSessionEnded {
			t.Errorf("the ended session changed: %v", session.PublicExport())
		}
	}
	scenarios := []tests.ApiScenario{
		{
			Name:            "the owner sets the recording link of an ended session",
			Method:          http.MethodPatch,
			URL:             ended,
			Body:            strings.NewReader(`{"recordingUrl":"` + recording + `"}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"recordingUrl":"` + recording + `"`, `"status":"ended"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				session := testkit.FindLiveSession(t, app, testkit.IdSessionEnded)
				if got := session.GetString(collections.LiveSessionRecordingURL); got != recording {
					t.Errorf("recordingUrl %q", got)
				}
			},
		},
		{
			Name:            "the whole form, unchanged but for the link, is accepted",
			Method:          http.MethodPatch,
			URL:             ended,
			Body:            strings.NewReader(`{"title":"Session ` + testkit.IdSessionEnded + `","course":"` + testkit.IdCourse + `","capacity":100,"recordingUrl":"` + recording + `"}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"recordingUrl":"` + recording + `"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 1},
		},
		{
			Name:            "anything else on an ended session stays refused, even beside the link",
			Method:          http.MethodPatch,
			URL:             ended,
			Body:            strings.NewReader(`{"recordingUrl":"` + recording + `","title":"Renamed afterwards"}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`, `title can no longer change`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 0},
			AfterTestFunc:   unchanged,
		},
		{
			Name:            "the description of an ended session stays as it was",
			Method:          http.MethodPatch,
			URL:             ended,
			Body:            strings.NewReader(`{"description":"Edited later."}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 0},
			AfterTestFunc:   unchanged,
		},
		{
			Name:            "a live session takes no recording link yet",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionLive),
			Body:            strings.NewReader(`{"recordingUrl":"` + recording + `"}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 0},
		},
		{
			Name:            "nor does a cancelled one",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionCancelled),
			Body:            strings.NewReader(`{"recordingUrl":"` + recording + `"}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 0},
		},
		{
			Name:            "a link that is not a URL is refused beside the field",
			Method:          http.MethodPatch,
			URL:             ended,
			Body:            strings.NewReader(`{"recordingUrl":"not a link"}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"recordingUrl":{"code":`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 1, "OnRecordValidate": 1},
			AfterTestFunc:   unchanged,
		},
		{
			Name:            "another instructor cannot set it",
			Method:          http.MethodPatch,
			URL:             ended,
			Body:            strings.NewReader(`{"recordingUrl":"` + recording + `"}`),
			Headers:         testkit.AuthHeader(testkit.OtherInstructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
			AfterTestFunc:   unchanged,
		},
		{
			Name:            "an enrolled student cannot set it",
			Method:          http.MethodPatch,
			URL:             ended,
			Body:            strings.NewReader(`{"recordingUrl":"` + recording + `"}`),
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
			AfterTestFunc:   unchanged,
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = testkit.NewTestApp
		s.Test(t)
	}
}
