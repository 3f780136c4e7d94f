package chat_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/chat"
	"studyhall/collections"
	"studyhall/testkit"
)

func TestChatMessagesAPI(t *testing.T) {
	t.Parallel()

	post := func(body string) *strings.Reader {
		return strings.NewReader(`{"room":"` + testkit.IdRoom + `","sender":"` + testkit.IdStudent + `",` + body + `}`)
	}
	scenarios := []tests.ApiScenario{
		{
			Name:            "a participant posts, control characters removed",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.ChatMessages),
			Body:            post(`"body":"hi\u0007 there\nsecond line"`),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"body":"hi there\nsecond line"`, `"editedAt":""`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
		},
		{
			Name:            "a script is stored as the text it is",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.ChatMessages),
			Body:            post(`"body":"<script>alert(1)</script>"`),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"body":"\u003cscript\u003ealert(1)\u003c/script\u003e"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
		},
		{
			Name:            "a non-participant cannot post",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.ChatMessages),
			Body:            strings.NewReader(`{"room":"` + testkit.IdRoom + `","sender":"` + testkit.IdOtherStudent + `","body":"let me in"}`),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":400`},
			ExpectedEvents:  map[string]int{"OnRecordCreate": 0},
		},
		{
			Name:            "nobody posts as someone else",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.ChatMessages),
			Body:            strings.NewReader(`{"room":"` + testkit.IdRoom + `","sender":"` + testkit.IdInstructor + `","body":"forged"}`),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":400`},
			ExpectedEvents:  map[string]int{"OnRecordCreate": 0},
		},
		{
			Name:            "an empty body",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.ChatMessages),
			Body:            post(`"body":"  \n "`),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"body":{"code":"validation_required"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "a body over 5000 characters",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.ChatMessages),
			Body:            post(`"body":"` + strings.Repeat("é", 5001) + `"`),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"body":{"code":"validation_max_text_constraint"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "a reply to a message of the room",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.ChatMessages),
			Body:            post(`"body":"Thanks!","replyTo":"msgmessage00001"`),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"replyTo":"msgmessage00001"`, `"body":"Thanks!"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
		},
		{
			Name:   "a reply to a message of another room is a field error",
			Method: http.MethodPost,
			URL:    testkit.RecordsURL(collections.ChatMessages),
			Body:   post(`"body":"Thanks!","replyTo":"msgelsewhere001"`),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				other, err := chat.CreateRoom(app, chat.NewRoom{Type: collections.ChatRoomTypeGroup, Participants: []string{testkit.IdStudent}})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := testkit.SaveRecord(app, collections.ChatMessages, "msgelsewhere001", map[string]any{
					"room": other.Id, "sender": testkit.IdStudent, "body": "elsewhere",
				}); err != nil {
					t.Fatal(err)
				}
			},
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"replyTo":{"code":"validation_reply_other_room"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "a non-participant sees no messages",
			Method:          http.MethodGet,
			URL:             testkit.RecordsURL(collections.ChatMessages) + "?filter=room='" + testkit.IdRoom + "'",
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"totalItems":0`},
			ExpectedEvents:  map[string]int{"OnRecordsListRequest": 1},
		},
		{
			Name:               "nor through expand",
			Method:             http.MethodGet,
			URL:                testkit.RecordsURL(collections.ChatMessages, "msgmessage00001") + "?expand=room",
			Headers:            testkit.AuthHeader(testkit.OtherStudent),
			ExpectedStatus:     404,
			ExpectedContent:    []string{`"status":404`},
			NotExpectedContent: []string{"Welcome"},
			ExpectedEvents:     map[string]int{"OnRecordViewRequest": 0},
		},
		{
			Name:            "the sender edits within 15 minutes",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.ChatMessages, "msgmessage00001"),
			Body:            strings.NewReader(`{"body":"Welcome, everyone."}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"body":"Welcome, everyone."`, `"editedAt":"20`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
		},
		{
			Name:           "after 15 minutes an edit is refused with a code",
			Method:         http.MethodPatch,
			URL:            testkit.RecordsURL(collections.ChatMessages, "msgmessage00001"),
			Body:           strings.NewReader(`{"body":"too late"}`),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus: 403,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				old := time.Now().UTC().Add(-16 * time.Minute).Format("2006-01-02 15:04:05.000Z")
				if _, err := app.DB().NewQuery("UPDATE {{" + collections.ChatMessages + "}} SET created = {:old}").Bind(map[string]any{"old": old}).Execute(); err != nil {
					t.Fatal(err)
				}
			},
			ExpectedContent: []string{`"code":"edit_window_closed"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 0},
		},
		{
			Name:            "another participant cannot edit",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.ChatMessages, "msgmessage00001"),
			Body:            strings.NewReader(`{"body":"hijacked"}`),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 0},
		},
	}
	testInChatRoom(t, scenarios)
}

func TestChatReplyMustStayInRoom(t *testing.T) {
	t.Parallel()

	app := withChatRoom(t)
	defer app.Cleanup()
	other, err := chat.CreateRoom(app, chat.NewRoom{Type: collections.ChatRoomTypeGroup, Participants: []string{testkit.IdStudent}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = testkit.SaveRecord(app, collections.ChatMessages, "", map[string]any{
		"room": other.Id, "sender": testkit.IdStudent, "body": "a reply", "replyTo": "msgmessage00001",
	})
	if err == nil || !strings.Contains(err.Error(), "same room") {
		t.Fatalf("a reply across rooms: %v", err)
	}
}

// TestChatMessageRateLimit: a flood of messages is cut by the per-user
// limit, with a code.
func TestChatMessageRateLimit(t *testing.T) {
	t.Parallel()

	app := withChatRoom(t)
	defer app.Cleanup()
	app.Settings().RateLimits.Enabled = false
	srv := testkit.StartServer(t, app)

	limited := 0
	for i := range 30 {
		var body map[string]any
		if testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.RecordsURL(collections.ChatMessages), testkit.Tokens[testkit.Student],
			map[string]any{"room": testkit.IdRoom, "sender": testkit.IdStudent, "body": fmt.Sprint("spam ", i)}, &body) == http.StatusTooManyRequests {
			limited++
			if body["data"].(map[string]any)["code"] != "rate_limited" {
				t.Errorf("429 without its code: %v", body)
			}
		}
	}
	if limited == 0 {
		t.Error("30 messages at once were all accepted")
	}
}
