package chat_test

import (
	"net/http"
	"slices"
	"testing"

	"studyhall/chat"
	"studyhall/collections"
	"studyhall/testkit"
)

// TestChatRoomHelpers covers the room helpers other domains use and the
// room's rules: participants see it, nobody else does, nobody but the
// server writes it.
func TestChatRoomHelpers(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	t.Cleanup(app.Cleanup)

	room, err := chat.CreateRoom(app, chat.NewRoom{
		Name: "Study buddies", Type: collections.ChatRoomTypeGroup, CreatedBy: testkit.IdStudent,
		Participants: []string{testkit.IdStudent, testkit.IdStudent, ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	participants := func() []string {
		r, err := app.FindRecordById(collections.ChatRooms, room.Id)
		if err != nil {
			t.Fatal(err)
		}
		return r.GetStringSlice(collections.ChatRoomParticipants)
	}
	if got := participants(); !slices.Equal(got, []string{testkit.IdStudent}) {
		t.Fatalf("participants %v", got)
	}
	for range 2 {
		if err := chat.AddParticipant(app, room.Id, testkit.IdOtherStudent); err != nil {
			t.Fatal(err)
		}
	}
	if got := participants(); !slices.Equal(got, []string{testkit.IdStudent, testkit.IdOtherStudent}) {
		t.Fatalf("after adding twice: %v", got)
	}
	if err := chat.RemoveParticipant(app, room.Id, testkit.IdStudent); err != nil {
		t.Fatal(err)
	}
	if err := chat.RemoveParticipant(app, room.Id, testkit.IdStudent); err != nil {
		t.Fatal(err)
	}
	if got := participants(); !slices.Equal(got, []string{testkit.IdOtherStudent}) {
		t.Fatalf("after removing: %v", got)
	}
	if _, err := chat.CreateRoom(app, chat.NewRoom{Name: "Bad", Type: "party"}); err == nil {
		t.Error("a room of an unknown type was created")
	}

	srv := testkit.StartServer(t, app)
	var page struct {
		TotalItems int `json:"totalItems"`
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodGet, testkit.RecordsURL(collections.ChatRooms), testkit.Tokens[testkit.OtherStudent], nil, &page); status != 200 || page.TotalItems != 1 {
		t.Errorf("a participant lists %d rooms (status %d), want 1", page.TotalItems, status)
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodGet, testkit.RecordsURL(collections.ChatRooms, room.Id), testkit.Tokens[testkit.Student], nil, nil); status != 404 {
		t.Errorf("a former participant views the room: status %d, want 404", status)
	}
	body := map[string]any{"name": "Mine", "type": collections.ChatRoomTypeGroup, "participants": []string{testkit.IdStudent}}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.RecordsURL(collections.ChatRooms), testkit.Tokens[testkit.Student], body, nil); status != 403 {
		t.Errorf("a student creates a room: status %d, want 403", status)
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.ChatRooms, room.Id), testkit.Tokens[testkit.OtherStudent], map[string]any{"participants": []string{testkit.IdOtherStudent, testkit.IdStudent}}, nil); status != 403 {
		t.Errorf("a participant edits the room: status %d, want 403", status)
	}
}
