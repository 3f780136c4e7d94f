package chat_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/testkit"
)

func TestChatTypingAPI(t *testing.T) {
	t.Parallel()

	scenarios := []tests.ApiScenario{
		{
			Name:            "typing needs a boolean",
			Method:          http.MethodPost,
			URL:             "/api/chat/rooms/" + testkit.IdRoom + "/typing",
			Body:            strings.NewReader(`{}`),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"typing":{"code":"validation_not_nil_required"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "typing in a room one is not in",
			Method:          http.MethodPost,
			URL:             "/api/chat/rooms/" + testkit.IdRoom + "/typing",
			Body:            strings.NewReader(`{"typing":true}`),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	}
	testInChatRoom(t, scenarios)
}
