package chat_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/chat"
	"studyhall/collections"
	"studyhall/testkit"
)

// TestChatModeratorRemovalLive: in each room with moderators, the route
// tells a moderator apart from a member; a moderator's removal reaches
// another member over SSE as a tombstone marked as a moderator's, and
// nobody outside the room hears it.
func TestChatModeratorRemovalLive(t *testing.T) {
	t.Parallel()

	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	rooms := testkit.SeedModeratedRooms(t, app)
	srv := testkit.StartServer(t, app)

	for _, r := range rooms {
		var answer struct{ Moderator bool }
		for actor, want := range map[string]bool{testkit.Student: false, r.Member: false} {
			if status := testkit.ApiRequest(t, srv.URL, http.MethodGet, "/api/chat/rooms/"+r.RoomId+"/moderation", testkit.Tokens[actor], nil, &answer); status != 200 || answer.Moderator != want {
				t.Errorf("%s room, %s: %d moderator=%v, want %v", r.Type, actor, status, answer.Moderator, want)
			}
		}
		if r.Moderator != "" {
			if status := testkit.ApiRequest(t, srv.URL, http.MethodGet, "/api/chat/rooms/"+r.RoomId+"/moderation", testkit.Tokens[r.Moderator], nil, &answer); status != 200 || !answer.Moderator {
				t.Errorf("%s room, moderator %s: %d moderator=%v", r.Type, r.Moderator, status, answer.Moderator)
			}
		}
		if status := testkit.ApiRequest(t, srv.URL, http.MethodGet, "/api/chat/rooms/"+r.RoomId+"/moderation", testkit.Tokens[r.Outsider], nil, nil); status != 404 {
			t.Errorf("%s room, outsider: %d, want 404", r.Type, status)
		}
	}

	session := rooms[0]
	if session.Type != collections.ChatRoomTypeSession {
		t.Fatalf("first room is %s", session.Type)
	}
	member := testkit.ConnectRealtime(t, srv.URL)
	member.Subscribe(t, testkit.Tokens[session.Member], "chat/"+session.RoomId)
	outsider := testkit.ConnectRealtime(t, srv.URL)
	outsider.Subscribe(t, testkit.Tokens[session.Outsider], "chat/"+session.RoomId)

	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/chat/messages/"+session.Message+"/delete", testkit.Tokens[session.Moderator], nil, nil); status != 200 {
		t.Fatalf("moderator removal: %d", status)
	}
	ev := member.ExpectEvent(t, "chat/"+session.RoomId, 2*time.Second)
	if ev.Action != "update" || ev.Record["id"] != session.Message || ev.Record["body"] != "" || ev.Record["deletedAt"] == "" ||
		ev.Record["removedByModerator"] != true || ev.Record["deletedBy"] != testkit.IdInstructor {
		t.Fatalf("removal event: %+v", ev)
	}
	outsider.ExpectNoEvent(t, 200*time.Millisecond)

	stored, err := app.FindRecordById(collections.ChatMessages, session.Message)
	if err != nil {
		t.Fatal(err)
	}
	if stored.GetString(collections.ChatMessageBody) != "" || !stored.GetBool(collections.ChatMessageRemovedByModerator) {
		t.Errorf("stored message after removal: %v", stored.FieldsData())
	}
}

// TestChatRemovalIsFinal: a moderator's removal that commits after the
// sender's edit was read and allowed, but before it is written, stays: the
// edit is written as the tombstone, the text does not come back.
func TestChatRemovalIsFinal(t *testing.T) {
	t.Parallel()

	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	session := testkit.SeedModeratedRooms(t, app)[0]
	// the interleaving, made certain: the removal lands between the
	// records API's checks of the edit and its save
	app.OnRecordUpdateRequest(collections.ChatMessages).BindFunc(func(e *core.RecordRequestEvent) error {
		removal, err := chat.FindChatMessage(e.App, e.Record.Id)
		if err != nil {
			return err
		}
		removal.MarkDeleted(testkit.IdInstructor, true)
		if err := e.App.Save(removal); err != nil {
			return err
		}
		return e.Next()
	})
	srv := testkit.StartServer(t, app)

	var answer map[string]any
	status := testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.ChatMessages, session.Message), testkit.Tokens[testkit.Student],
		map[string]any{"body": "the text, back again"}, &answer)
	if status != 200 || answer["body"] != "" {
		t.Errorf("edit after the removal: %d %v", status, answer)
	}
	stored, err := app.FindRecordById(collections.ChatMessages, session.Message)
	if err != nil {
		t.Fatal(err)
	}
	if stored.GetString(collections.ChatMessageBody) != "" || stored.GetDateTime(collections.ChatMessageDeletedAt).IsZero() ||
		!stored.GetBool(collections.ChatMessageRemovedByModerator) || stored.GetString(collections.ChatMessageDeletedBy) != testkit.IdInstructor {
		t.Errorf("the removal did not hold: %v", stored.FieldsData())
	}
}
