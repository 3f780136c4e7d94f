package authcache_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/testkit"
)

// authRefreshURL answers with the caller's auth record as the server sees
// it for the request (e.Auth), and 401 for a guest.
const authRefreshURL = "/api/collections/users/auth-refresh"

// whoAmI is the status of an auth refresh with token, and the name the
// server had for the caller.
func whoAmI(t *testing.T, baseURL, token string) (int, string) {
	t.Helper()
	var body struct {
		Record struct {
			Name string `json:"name"`
		} `json:"record"`
	}
	status := testkit.ApiRequest(t, baseURL, http.MethodPost, authRefreshURL, token, nil, &body)
	return status, body.Record.Name
}

// TestAuthCache checks the cache in front of PocketBase's token lookup: it
// serves a seen token without reading the user, and yet every change the
// server makes to a user or to the users collection counts at the next
// request: a new name, a sign-out of every device (new token key), a
// deleted account, a new token secret, an expired token.
func TestAuthCache(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	users := testkit.InsertUsers(t, app, "authcache", 4)
	srv := testkit.StartServer(t, app)

	find := func(id string) *core.Record {
		t.Helper()
		record, err := app.FindRecordById(collections.Users, id)
		if err != nil {
			t.Fatal(err)
		}
		return record
	}
	expect := func(label, token string, wantStatus int, wantName string) {
		t.Helper()
		status, name := whoAmI(t, srv.URL, token)
		if status != wantStatus || (wantStatus == http.StatusOK && name != wantName) {
			t.Fatalf("%s: status %d, name %q; want %d, %q", label, status, name, wantStatus, wantName)
		}
	}

	alice, bob, carol, dave := users[0], users[1], users[2], users[3]
	expect("first request", alice.Token, 200, "Load "+alice.Id)

	// served from the cache: a change behind the server's back (raw SQL,
	// as another process would make) is not seen until the TTL runs out
	if _, err := app.DB().Update(collections.Users, dbx.Params{collections.UserName: "Behind the back"},
		dbx.HashExp{collections.FieldId: alice.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	expect("after a raw SQL change", alice.Token, 200, "Load "+alice.Id)

	// a save through the server is seen at once
	record := find(alice.Id)
	record.Set(collections.UserName, "Alice Renamed")
	if err := app.Save(record); err != nil {
		t.Fatal(err)
	}
	expect("after a rename", alice.Token, 200, "Alice Renamed")

	// sign out everywhere: the old token stops working at once
	expect("bob before", bob.Token, 200, "Load "+bob.Id)
	record = find(bob.Id)
	record.RefreshTokenKey()
	if err := app.Save(record); err != nil {
		t.Fatal(err)
	}
	expect("bob's old token after a new token key", bob.Token, 401, "")

	// a deleted account's token stops working at once
	expect("carol before", carol.Token, 200, "Load "+carol.Id)
	if err := app.Delete(find(carol.Id)); err != nil {
		t.Fatal(err)
	}
	expect("carol's token after her account is deleted", carol.Token, 401, "")

	// a token issued by the server is known from the start, and one that
	// expires stops working when it does, cached or not
	short, err := find(dave.Id).NewStaticAuthToken(1500 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	expect("a short-lived token", short, 200, "Load "+dave.Id)
	time.Sleep(1600 * time.Millisecond)
	expect("the short-lived token once expired", short, 401, "")

	// a new token secret for the collection voids every token at once
	expect("dave before", dave.Token, 200, "Load "+dave.Id)
	usersCollection, err := app.FindCollectionByNameOrId(collections.Users)
	if err != nil {
		t.Fatal(err)
	}
	usersCollection.AuthToken.Secret = "a-new-secret-for-every-users-token-0123456789"
	if err := app.Save(usersCollection); err != nil {
		t.Fatal(err)
	}
	expect("dave's token after a new secret", dave.Token, 401, "")
	expect("alice's token after a new secret", alice.Token, 401, "")
}

// TestAuthCacheKeepsIssuedTokens signs in with a password: the token in
// the answer works, and a second sign-in's token too, each for its user.
func TestAuthCacheKeepsIssuedTokens(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	users := testkit.InsertUsers(t, app, "authissue", 1)
	record, err := app.FindRecordById(collections.Users, users[0].Id)
	if err != nil {
		t.Fatal(err)
	}
	record.SetPassword("a long enough password")
	if err := app.Save(record); err != nil {
		t.Fatal(err)
	}
	srv := testkit.StartServer(t, app)

	signIn := func() string {
		t.Helper()
		var body struct {
			Token string `json:"token"`
		}
		status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/collections/users/auth-with-password", "",
			map[string]any{"identity": record.Email(), "password": "a long enough password"}, &body)
		if status != 200 || body.Token == "" {
			t.Fatalf("sign in: status %d", status)
		}
		return body.Token
	}
	first, second := signIn(), signIn()
	for _, token := range []string{first, second} {
		if status, name := whoAmI(t, srv.URL, token); status != 200 || name != "Load "+users[0].Id {
			t.Fatalf("issued token: status %d, name %q", status, name)
		}
	}
	// the password's change (a new token key) voids both
	record, err = app.FindRecordById(collections.Users, users[0].Id)
	if err != nil {
		t.Fatal(err)
	}
	record.SetPassword("another long password")
	if err := app.Save(record); err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{first, second} {
		if status, _ := whoAmI(t, srv.URL, token); status != 401 {
			t.Fatalf("token issued before a password change: status %d, want 401", status)
		}
	}
}
