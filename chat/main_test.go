package chat_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/chat"
	"studyhall/collections"
	"studyhall/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

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
	if _, err := app.DB().NewQuery("UPDATE {{" + collections.ChatRooms + "}} SET id = {:id} WHERE id = {:old}").Bind(map[string]any{"id": testkit.IdRoom, "old": room.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	if _, err := testkit.SaveRecord(app, collections.ChatMessages, "msgmessage00001", map[string]any{
		"room": testkit.IdRoom, "sender": testkit.IdInstructor, "body": "Welcome to the room.",
	}); err != nil {
		t.Fatal(err)
	}
	return app
}

// testInChatRoom runs each scenario on its own withChatRoom app.
func testInChatRoom(t *testing.T, scenarios []tests.ApiScenario) {
	for _, s := range scenarios {
		s.TestAppFactory = withChatRoom
		s.Test(t)
	}
}

// addMessages saves bodies as messages of the scenarios' room from sender.
func addMessages(t testing.TB, app core.App, sender string, bodies ...string) {
	t.Helper()
	for _, body := range bodies {
		if _, err := testkit.SaveRecord(app, collections.ChatMessages, "", map[string]any{
			"room": testkit.IdRoom, "sender": sender, "body": body,
		}); err != nil {
			t.Fatal(err)
		}
	}
}
