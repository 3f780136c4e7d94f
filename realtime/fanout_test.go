package realtime

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	_ "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"studyhall/collections"
)

func newApp(t *testing.T) core.App {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: t.TempDir()})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.ResetBootstrapState() })
	if err := app.RunAllMigrations(); err != nil {
		t.Fatal(err)
	}
	return app
}

// connect registers a client authenticated as userId (none when empty)
// with the given subscriptions, as POST /api/realtime would.
func connect(t *testing.T, app core.App, userId string, subs ...string) *subscriptions.DefaultClient {
	t.Helper()
	client := subscriptions.NewDefaultClient()
	app.SubscriptionsBroker().Register(client)
	if userId != "" {
		users, err := app.FindCachedCollectionByNameOrId(collections.Users)
		if err != nil {
			t.Fatal(err)
		}
		auth := core.NewRecord(users)
		auth.Id = userId
		client.Set(apis.RealtimeClientAuthKey, auth)
	}
	event := &core.RealtimeSubscribeRequestEvent{Client: client, Subscriptions: subs}
	err := app.OnRealtimeSubscribeRequest().Trigger(event, func(e *core.RealtimeSubscribeRequestEvent) error {
		e.Client.Unsubscribe()
		e.Client.Subscribe(e.Subscriptions...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func receive(t *testing.T, client *subscriptions.DefaultClient) (subscriptions.Message, bool) {
	t.Helper()
	select {
	case m := <-client.Channel():
		return m, true
	case <-time.After(200 * time.Millisecond):
		return subscriptions.Message{}, false
	}
}

func TestFanout(t *testing.T) {
	t.Parallel()
	app := newApp(t)
	Own(app, "notes")

	notes := core.NewBaseCollection("notes")
	notes.Fields.Add(&core.TextField{Name: "user"}, &core.TextField{Name: "text"})
	note := core.NewRecord(notes)
	note.Id = "note00000000001"
	note.Set("user", "user00000000001")
	note.Set("text", "hello")

	options := "notes?options=" + url.QueryEscape(`{"query":{"fields":"id,text"}}`)
	owner := connect(t, app, "user00000000001", "notes/*", "courses/*")
	ownerTab := connect(t, app, "user00000000001", options)
	ownerOneRecord := connect(t, app, "user00000000001", "notes/"+note.Id)
	ownerOtherRecord := connect(t, app, "user00000000001", "notes/note00000000002")
	stranger := connect(t, app, "user00000000002", "notes/*", "notes/"+note.Id, "notes")
	guest := connect(t, app, "", "notes/*")

	// owned subscriptions are kept away from PocketBase's broker, others stay
	if owner.HasSubscription("notes/*") || !owner.HasSubscription("courses/*") {
		t.Fatalf("subscriptions %v", owner.Subscriptions())
	}

	Get(app).Publish(Event{UserId: "user00000000001", Action: ActionCreate, Record: note},
		Event{UserId: "user00000000001", Action: ActionUpdate, Record: note})

	for _, c := range []struct {
		client *subscriptions.DefaultClient
		name   string
	}{{owner, "notes/*"}, {ownerTab, options}, {ownerOneRecord, "notes/" + note.Id}} {
		for _, action := range []string{ActionCreate, ActionUpdate} {
			m, ok := receive(t, c.client)
			if !ok || m.Name != c.name {
				t.Fatalf("%s: got %q (%v), want %q", c.name, m.Name, ok, c.name)
			}
			var data struct {
				Action string         `json:"action"`
				Record map[string]any `json:"record"`
			}
			if err := json.Unmarshal(m.Data, &data); err != nil {
				t.Fatal(err)
			}
			if data.Action != action || data.Record["id"] != note.Id {
				t.Fatalf("%s: %s", c.name, m.Data)
			}
			_, hasUser := data.Record["user"]
			if c.client == ownerTab && (hasUser || len(data.Record) != 2) {
				t.Errorf("fields option ignored: %s", m.Data)
			}
			if c.client == owner && data.Record["collectionName"] != "notes" {
				t.Errorf("record without its collection: %s", m.Data)
			}
		}
	}
	for name, client := range map[string]*subscriptions.DefaultClient{"other record": ownerOtherRecord, "stranger": stranger, "guest": guest} {
		if m, ok := receive(t, client); ok {
			t.Errorf("%s received %q: %s", name, m.Name, m.Data)
		}
	}

	// resubscribing without the collection stops delivery
	connectAgain := &core.RealtimeSubscribeRequestEvent{Client: owner, Subscriptions: []string{"courses/*"}}
	if err := app.OnRealtimeSubscribeRequest().Trigger(connectAgain, func(*core.RealtimeSubscribeRequestEvent) error { return nil }); err != nil {
		t.Fatal(err)
	}
	Get(app).Publish(Event{UserId: "user00000000001", Action: ActionDelete, Record: note})
	if m, ok := receive(t, owner); ok {
		t.Errorf("unsubscribed client received %q", m.Name)
	}
}
