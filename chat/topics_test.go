package chat_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"studyhall/chat"
	"studyhall/collections"
	"studyhall/testkit"
)

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
