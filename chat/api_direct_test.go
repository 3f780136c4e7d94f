package chat_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

func TestChatDirectAPI(t *testing.T) {
	t.Parallel()

	direct := func(userId string) *strings.Reader {
		return strings.NewReader(`{"userId":"` + userId + `"}`)
	}
	scenarios := []tests.ApiScenario{
		{
			Name:            "opens the room of a pair",
			Method:          http.MethodPost,
			URL:             "/api/chat/direct",
			Body:            direct(testkit.IdOtherStudent),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"type":"direct"`, `"participants":["` + testkit.IdStudent + `","` + testkit.IdOtherStudent + `"]`},
			// created, then given its pair key
			ExpectedEvents: map[string]int{"OnRecordAfterCreateSuccess": 1, "OnRecordAfterUpdateSuccess": 1},
		},
		{
			Name:           "to someone who turned them off",
			Method:         http.MethodPost,
			URL:            "/api/chat/direct",
			Body:           direct(testkit.IdInstructor),
			Headers:        testkit.AuthHeader(testkit.Student),
			ExpectedStatus: 403,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				user, err := app.FindRecordById(collections.Users, testkit.IdInstructor)
				if err != nil {
					t.Fatal(err)
				}
				user.Set("allowDirectMessages", false)
				if err := app.Save(user); err != nil {
					t.Fatal(err)
				}
			},
			ExpectedContent: []string{`"code":"direct_messages_off"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "to yourself",
			Method:          http.MethodPost,
			URL:             "/api/chat/direct",
			Body:            direct(testkit.IdStudent),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"userId":{"code":"validation_self"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "to nobody",
			Method:          http.MethodPost,
			URL:             "/api/chat/direct",
			Body:            direct(""),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"userId":{"code":"validation_required"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "to an unknown user",
			Method:          http.MethodPost,
			URL:             "/api/chat/direct",
			Body:            direct("nosuchuser0000"),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "as a guest",
			Method:          http.MethodPost,
			URL:             "/api/chat/direct",
			Body:            direct(testkit.IdStudent),
			ExpectedStatus:  401,
			ExpectedContent: []string{`"status":401`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = testkit.NewTestApp
		s.Test(t)
	}
}

// TestChatDirectConcurrent: ten concurrent requests from both sides of a
// pair find or create one room.
func TestChatDirectConcurrent(t *testing.T) {
	t.Parallel()

	app := testkit.NewRushApp(t)
	srv := testkit.StartServer(t, app)

	ids := make(chan string, 10)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from, to := testkit.Tokens[testkit.Student], testkit.IdOtherStudent
			if i%2 == 1 {
				from, to = testkit.Tokens[testkit.OtherStudent], testkit.IdStudent
			}
			var room map[string]any
			if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/chat/direct", from, map[string]any{"userId": to}, &room); status != 200 {
				t.Errorf("direct: %d %v", status, room)
				return
			}
			ids <- room["id"].(string)
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	if len(seen) != 1 {
		t.Fatalf("%d direct rooms for one pair", len(seen))
	}
	if n := testkit.CountRecords(t, app, collections.ChatRooms, "type = 'direct'"); n != 1 {
		t.Fatalf("%d direct rooms stored", n)
	}
}
