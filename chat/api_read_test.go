package chat_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/testkit"
)

// TestChatReadAPI: unread counts per room (the room of withChatRoom holds
// one message from the instructor), read marks, and who may ask.
func TestChatReadAPI(t *testing.T) {
	t.Parallel()

	readURL := "/api/chat/rooms/" + testkit.IdRoom + "/read"
	scenarios := []tests.ApiScenario{
		{
			Name:           "unread counts the messages of others only",
			Method:         http.MethodGet,
			URL:            "/api/chat/unread",
			Headers:        testkit.AuthHeader(testkit.Student),
			ExpectedStatus: 200,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				addMessages(t, app, testkit.IdInstructor, "question 1", "question 2")
				addMessages(t, app, testkit.IdStudent, "my own")
			},
			ExpectedContent: []string{`{"rooms":{"` + testkit.IdRoom + `":3}}`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "the sender has nothing unread",
			Method:          http.MethodGet,
			URL:             "/api/chat/unread",
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  200,
			ExpectedContent: []string{`{"rooms":{"` + testkit.IdRoom + `":0}}`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "an outsider has no rooms",
			Method:          http.MethodGet,
			URL:             "/api/chat/unread",
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			ExpectedStatus:  200,
			ExpectedContent: []string{`{"rooms":{}}`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a guest",
			Method:          http.MethodGet,
			URL:             "/api/chat/unread",
			ExpectedStatus:  401,
			ExpectedContent: []string{`"status":401`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a participant marks the room read",
			Method:          http.MethodPost,
			URL:             readURL,
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"room":"` + testkit.IdRoom + `"`, `"lastReadAt":"20`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
		},
		{
			Name:           "after reading, nothing unread",
			Method:         http.MethodGet,
			URL:            "/api/chat/unread",
			Headers:        testkit.AuthHeader(testkit.Student),
			ExpectedStatus: 200,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				testkit.ServeAs(t, e, testkit.Student, http.MethodPost, readURL, "", http.StatusOK)
			},
			ExpectedContent: []string{`{"rooms":{"` + testkit.IdRoom + `":0}}`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "an outsider cannot mark the room read",
			Method:          http.MethodPost,
			URL:             readURL,
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	}
	testInChatRoom(t, scenarios)
}
