package chat_test

import (
	"fmt"
	"net/http"
	"testing"

	"studyhall/collections"
	"studyhall/testkit"
)

// TestChatDirectMessageNotices: the direct_message notice, coalesced, high
// from an instructor, and only for a recipient who is not in the room.
func TestChatDirectMessageNotices(t *testing.T) {
	t.Parallel()

	app := testkit.NewRushApp(t)
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

	// three messages within five minutes: one notice, high from an instructor
	notices := testkit.CountRecords(t, app, collections.Notifications, "user = '"+testkit.IdStudent+"' && type = 'direct_message' && priority = 'high'")
	if notices != 1 {
		t.Errorf("direct_message notices = %d, want 1 (coalesced)", notices)
	}
	if n := testkit.CountRecords(t, app, collections.Notifications, "user = '"+testkit.IdInstructor+"' && type = 'direct_message' && priority = 'normal'"); n != 1 {
		t.Errorf("the instructor got %d notices for the student's message, want 1 of normal priority", n)
	}

	// the instructor is in the room (subscribed): no notice for them
	c := testkit.ConnectRealtime(t, srv.URL)
	c.Subscribe(t, testkit.Tokens[testkit.Instructor], "chat/"+roomId)
	before := testkit.CountRecords(t, app, collections.Notifications, "user = '"+testkit.IdInstructor+"' && type = 'direct_message'")
	_, _ = app.DB().NewQuery("DELETE FROM {{" + collections.Notifications + "}} WHERE type = 'direct_message'").Execute()
	send(testkit.Tokens[testkit.Student], testkit.IdStudent, "are you there?")
	if n := testkit.CountRecords(t, app, collections.Notifications, "user = '"+testkit.IdInstructor+"' && type = 'direct_message'"); n != 0 {
		t.Errorf("a notice for a recipient looking at the room (had %d before)", before)
	}
}
