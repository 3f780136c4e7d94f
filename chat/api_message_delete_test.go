package chat_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/testkit"
)

func TestChatDeleteMessageAPI(t *testing.T) {
	t.Parallel()

	scenarios := []tests.ApiScenario{
		{
			Name:            "the sender deletes: a tombstone without a body",
			Method:          http.MethodPost,
			URL:             "/api/chat/messages/msgmessage00001/delete",
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"body":""`, `"deletedAt":"20`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
		},
		{
			Name:            "another participant cannot delete",
			Method:          http.MethodPost,
			URL:             "/api/chat/messages/msgmessage00001/delete",
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"code":"not_sender"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 0},
		},
		{
			Name:            "a non-participant cannot even find it",
			Method:          http.MethodPost,
			URL:             "/api/chat/messages/msgmessage00001/delete",
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 0},
		},
	}
	testInChatRoom(t, scenarios)
}
