package chat_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/chat"
	"studyhall/collections"
	"studyhall/testkit"
)

// withChatRoom is a test app with a group room of idStudent and
// idInstructor, and one message in it from the instructor.
func withChatRoom(t testing.TB) *tests.TestApp {
	app := testkit.NewTestApp(t)
	room, err := chat.CreateRoom(app, chat.NewRoom{
		Name: "Algebra I", Type: collections.ChatRoomTypeGroup, CreatedBy: testkit.IdInstructor,
		Participants: []string{testkit.IdStudent, testkit.IdInstructor},
	})
	if err != nil {
		t.Fatal(err)
	}
	// give the room the fixed id the scenarios use
	if _, err := app.DB().NewQuery("UPDATE chat_rooms SET id = {:id} WHERE id = {:old}").Bind(map[string]any{"id": testkit.IdRoom, "old": room.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	if _, err := testkit.SaveRecord(app, collections.ChatMessages, "msgmessage00001", map[string]any{
		"room": testkit.IdRoom, "sender": testkit.IdInstructor, "body": "Welcome to the room.",
	}); err != nil {
		t.Fatal(err)
	}
	return app
}

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
				if _, err := app.DB().NewQuery("UPDATE chat_messages SET created = {:old}").Bind(map[string]any{"old": old}).Execute(); err != nil {
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
		{
			Name:            "a guest",
			Method:          http.MethodGet,
			URL:             "/api/chat/unread",
			ExpectedStatus:  401,
			ExpectedContent: []string{`"status":401`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
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
	for _, s := range scenarios {
		s.TestAppFactory = withChatRoom
		s.Test(t)
	}
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

// TestChatRealtime: participants receive the room's messages and typing
// over SSE; a non-participant's topics are dropped without failing the
// subscribe request; a removed participant hears nothing more.
func TestChatRealtime(t *testing.T) {
	t.Parallel()

	app := withChatRoom(t)
	defer app.Cleanup()
	srv := testkit.StartServer(t, app)

	member := testkit.ConnectRealtime(t, srv.URL)
	member.Subscribe(t, testkit.Tokens[testkit.Student], "chat/"+testkit.IdRoom, "chat/"+testkit.IdRoom+"/typing")
	outsider := testkit.ConnectRealtime(t, srv.URL)
	// one request carries a refused topic beside an allowed one, and the
	// stock record subscription: the request succeeds, only the allowed
	// topic is kept
	outsider.Subscribe(t, testkit.Tokens[testkit.OtherStudent], "chat/"+testkit.IdRoom, "chat/"+testkit.IdRoom+"/typing", "chat_messages/*", "presence/"+testkit.IdOtherStudent)

	var msg map[string]any
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.RecordsURL(collections.ChatMessages), testkit.Tokens[testkit.Instructor],
		map[string]any{"room": testkit.IdRoom, "sender": testkit.IdInstructor, "body": "<b>Quiz</b> at noon"}, &msg); status != 200 {
		t.Fatalf("post: %d %v", status, msg)
	}
	ev := member.ExpectEvent(t, "chat/"+testkit.IdRoom, 2*time.Second)
	if ev.Action != "create" || ev.Record["body"] != "<b>Quiz</b> at noon" || ev.Record["id"] != msg["id"] {
		t.Fatalf("create event: %+v", ev)
	}

	testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.ChatMessages, msg["id"].(string)), testkit.Tokens[testkit.Instructor], map[string]any{"body": "Quiz at one"}, nil)
	ev = member.ExpectEvent(t, "chat/"+testkit.IdRoom, 2*time.Second)
	if ev.Action != "update" || ev.Record["body"] != "Quiz at one" || ev.Record["editedAt"] == "" {
		t.Fatalf("edit event: %+v", ev)
	}
	testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/chat/messages/"+msg["id"].(string)+"/delete", testkit.Tokens[testkit.Instructor], nil, nil)
	ev = member.ExpectEvent(t, "chat/"+testkit.IdRoom, 2*time.Second)
	if ev.Action != "update" || ev.Record["body"] != "" || ev.Record["deletedAt"] == "" {
		t.Fatalf("delete event: %+v", ev)
	}

	// typing: on, then the server's off 6 s after the last refresh
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/chat/rooms/"+testkit.IdRoom+"/typing", testkit.Tokens[testkit.Instructor], map[string]any{"typing": true}, nil); status != 204 {
		t.Fatalf("typing: %d", status)
	}
	typing, ok := member.NextEvent(2 * time.Second)
	if !ok || typing.Name != "chat/"+testkit.IdRoom+"/typing" || !strings.Contains(string(typing.Data), `"typing":true`) || !strings.Contains(string(typing.Data), `"name":"Ada Instructor"`) {
		t.Fatalf("typing event: %+v", typing)
	}
	start := time.Now()
	typing, ok = member.NextEvent(8 * time.Second)
	if !ok || !strings.Contains(string(typing.Data), `"typing":false`) {
		t.Fatalf("no server-sent typing false: %+v", typing)
	}
	if waited := time.Since(start); waited < 5*time.Second {
		t.Errorf("typing false after %s, want about 6 s", waited)
	}

	// the outsider heard nothing of any of it
	outsider.ExpectNoEvent(t, 100*time.Millisecond)

	// removed from the room, the student hears nothing more
	if err := chat.RemoveParticipant(app, testkit.IdRoom, testkit.IdStudent); err != nil {
		t.Fatal(err)
	}
	testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.RecordsURL(collections.ChatMessages), testkit.Tokens[testkit.Instructor],
		map[string]any{"room": testkit.IdRoom, "sender": testkit.IdInstructor, "body": "after you left"}, nil)
	testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/chat/rooms/"+testkit.IdRoom+"/typing", testkit.Tokens[testkit.Instructor], map[string]any{"typing": true}, nil)
	member.ExpectNoEvent(t, 500*time.Millisecond)
	outsider.ExpectNoEvent(t, 10*time.Millisecond)
}

func TestChatDirectRooms(t *testing.T) {
	t.Parallel()

	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	app.Settings().RateLimits.Enabled = false
	srv := testkit.StartServer(t, app)

	// ten concurrent requests from both sides find or create one room
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

	// turning direct messages off stops new rooms, with a code
	user, _ := app.FindRecordById(collections.Users, testkit.IdInstructor)
	user.Set("allowDirectMessages", false)
	if err := app.Save(user); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name, token, userId string
		status              int
		want                string
	}{
		{"to someone who turned them off", testkit.Tokens[testkit.Student], testkit.IdInstructor, 403, `"code":"direct_messages_off"`},
		{"to yourself", testkit.Tokens[testkit.Student], testkit.IdStudent, 400, `"userId":{"code":"validation_self"`},
		{"to nobody", testkit.Tokens[testkit.Student], "", 400, `"userId":{"code":"validation_required"`},
		{"to an unknown user", testkit.Tokens[testkit.Student], "nosuchuser0000", 404, `"status":404`},
		{"as a guest", "", testkit.IdStudent, 401, `"status":401`},
	}
	for _, c := range checks {
		var body map[string]any
		status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/chat/direct", c.token, map[string]any{"userId": c.userId}, &body)
		if raw := fmt.Sprint(body); status != c.status || !strings.Contains(testkit.JsonString(t, body), c.want) {
			t.Errorf("%s: %d %s", c.name, status, raw)
		}
	}
}

// TestChatUnreadAndNotices: unread counts per room, read marks, and the
// direct_message notice, coalesced and only for a recipient who is not in
// the room.
func TestChatUnreadAndNotices(t *testing.T) {
	t.Parallel()

	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	app.Settings().RateLimits.Enabled = false
	srv := testkit.StartServer(t, app)

	var room map[string]any
	testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/chat/direct", testkit.Tokens[testkit.Instructor], map[string]any{"userId": testkit.IdStudent}, &room)
	roomId := room["id"].(string)
	send := func(token, sender, body string) {
		t.Helper()
		if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.RecordsURL(collections.ChatMessages), token,
			map[string]any{"room": roomId, "sender": sender, "body": body}, nil); status != 200 {
			t.Fatalf("send: %d", status)
		}
	}
	for i := range 3 {
		send(testkit.Tokens[testkit.Instructor], testkit.IdInstructor, fmt.Sprint("question ", i))
	}
	send(testkit.Tokens[testkit.Student], testkit.IdStudent, "my own")

	var unread struct {
		Rooms map[string]int `json:"rooms"`
	}
	testkit.ApiRequest(t, srv.URL, http.MethodGet, "/api/chat/unread", testkit.Tokens[testkit.Student], nil, &unread)
	if unread.Rooms[roomId] != 3 {
		t.Fatalf("unread = %v, want 3 in %s", unread.Rooms, roomId)
	}
	// three messages within five minutes: one notice, high from an instructor
	notices := testkit.CountRecords(t, app, collections.Notifications, "user = '"+testkit.IdStudent+"' && type = 'direct_message' && priority = 'high'")
	if notices != 1 {
		t.Errorf("direct_message notices = %d, want 1 (coalesced)", notices)
	}
	if n := testkit.CountRecords(t, app, collections.Notifications, "user = '"+testkit.IdInstructor+"' && type = 'direct_message' && priority = 'normal'"); n != 1 {
		t.Errorf("the instructor got %d notices for the student's message, want 1 of normal priority", n)
	}

	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/chat/rooms/"+roomId+"/read", testkit.Tokens[testkit.Student], nil, nil); status != 200 {
		t.Fatalf("read: %d", status)
	}
	testkit.ApiRequest(t, srv.URL, http.MethodGet, "/api/chat/unread", testkit.Tokens[testkit.Student], nil, &unread)
	if unread.Rooms[roomId] != 0 {
		t.Fatalf("unread after reading = %v", unread.Rooms)
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/chat/rooms/"+roomId+"/read", testkit.Tokens[testkit.OtherStudent], nil, nil); status != 404 {
		t.Errorf("an outsider marks the room read: %d", status)
	}

	// the instructor is in the room (subscribed): no notice for them
	c := testkit.ConnectRealtime(t, srv.URL)
	c.Subscribe(t, testkit.Tokens[testkit.Instructor], "chat/"+roomId)
	before := testkit.CountRecords(t, app, collections.Notifications, "user = '"+testkit.IdInstructor+"' && type = 'direct_message'")
	_, _ = app.DB().NewQuery("DELETE FROM notifications WHERE type = 'direct_message'").Execute()
	send(testkit.Tokens[testkit.Student], testkit.IdStudent, "are you there?")
	if n := testkit.CountRecords(t, app, collections.Notifications, "user = '"+testkit.IdInstructor+"' && type = 'direct_message'"); n != 0 {
		t.Errorf("a notice for a recipient looking at the room (had %d before)", before)
	}

	// a flood is cut by the per-user limit
	limited := 0
	for i := range 30 {
		var body map[string]any
		if testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.RecordsURL(collections.ChatMessages), testkit.Tokens[testkit.Student],
			map[string]any{"room": roomId, "sender": testkit.IdStudent, "body": fmt.Sprint("spam ", i)}, &body) == http.StatusTooManyRequests {
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
