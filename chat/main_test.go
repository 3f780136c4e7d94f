package chat_test

import (
	"net/http/httptest"
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

// serveAs sends one bodiless request as actor through the routes of a
// scenario's serve event, for a BeforeTestFunc whose setup is a call to
// another route, and fails the test unless it answers want.
func serveAs(t testing.TB, e *core.ServeEvent, actor, method, url string, want int) {
	t.Helper()
	mux, err := e.Router.BuildMux()
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(method, url, nil)
	for k, v := range testkit.AuthHeader(actor) {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != want {
		t.Fatalf("%s %s as %s: %d %s, want %d", method, url, actor, rec.Code, rec.Body, want)
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
