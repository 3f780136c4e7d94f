package chat_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"studyhall/collections"
	"studyhall/testkit"
)

// historyPage is one page of the web app's history query (chat.js
// loadOlder): the 50 messages of the room before the cursor (created, id),
// newest first. An empty cursor asks for the latest 50.
func historyPage(t *testing.T, baseURL, token, created, id string) []map[string]any {
	t.Helper()
	filter := fmt.Sprintf("room = '%s'", testkit.IdRoom)
	if created != "" {
		filter += fmt.Sprintf(" && (created < '%s' || (created = '%s' && id < '%s'))", created, created, id)
	}
	query := url.Values{"filter": {filter}, "sort": {"-created,-id"}, "perPage": {"50"}, "skipTotal": {"1"}}
	var page struct{ Items []map[string]any }
	if status := testkit.ApiRequest(t, baseURL, http.MethodGet, testkit.RecordsURL(collections.ChatMessages)+"?"+query.Encode(), token, nil, &page); status != 200 {
		t.Fatalf("history page: %d", status)
	}
	return page.Items
}

// TestChatHistoryPaging: 120 messages, many sharing a timestamp, come back
// as pages of 50, 50 and 20 with none twice and none missing, while new
// messages arrive between the pages.
func TestChatHistoryPaging(t *testing.T) {
	t.Parallel()

	app := withChatRoom(t)
	defer app.Cleanup()
	app.Settings().RateLimits.Enabled = false
	// the room's welcome message goes, so that the room holds exactly 120
	if _, err := app.DB().Delete(collections.ChatMessages, nil).Execute(); err != nil {
		t.Fatal(err)
	}
	bodies := make([]string, 120)
	for i := range bodies {
		bodies[i] = fmt.Sprint("message ", i)
	}
	addMessages(t, app, testkit.IdStudent, bodies...)
	// seven messages to a millisecond: only the id tells them apart
	var ids []string
	if err := app.DB().Select("id").From(collections.ChatMessages).OrderBy("created", "id").Column(&ids); err != nil {
		t.Fatal(err)
	}
	base := time.Now().UTC().Add(-time.Hour)
	for i, id := range ids {
		at := base.Add(time.Duration(i/7) * time.Millisecond).Format("2006-01-02 15:04:05.000Z")
		if _, err := app.DB().Update(collections.ChatMessages, dbx.Params{"created": at}, dbx.HashExp{"id": id}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	srv := testkit.StartServer(t, app)
	token := testkit.Tokens[testkit.Student]

	seen := map[string]bool{}
	var sizes []int
	var created, id string
	for page := 0; ; page++ {
		items := historyPage(t, srv.URL, token, created, id)
		if len(items) == 0 {
			break
		}
		sizes = append(sizes, len(items))
		for _, m := range items {
			mid := m["id"].(string)
			if seen[mid] {
				t.Errorf("message %s twice", mid)
			}
			seen[mid] = true
			// each item is older than the one before it
			if c := m["created"].(string); created != "" && (c > created || (c == created && mid >= id)) {
				t.Errorf("message %s (%s) not before %s (%s)", mid, c, id, created)
			}
			created, id = m["created"].(string), mid
		}
		if page == 0 {
			// new messages while the user reads: they belong to no older page
			addMessages(t, app, testkit.IdInstructor, "new 1", "new 2", "new 3")
		}
	}
	if fmt.Sprint(sizes) != "[50 50 20]" {
		t.Errorf("page sizes %v, want [50 50 20]", sizes)
	}
	for _, mid := range ids {
		if !seen[mid] {
			t.Errorf("message %s missing", mid)
		}
	}
	if len(seen) != 120 {
		t.Errorf("%d messages seen, want 120", len(seen))
	}
}
