package emails_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/emails"
	"studyhall/testkit"
)

func TestUnsubscribeLinks(t *testing.T) {
	t.Parallel()
	probe := testkit.NewTestApp(t)
	secret, err := emails.UnsubscribeSecret(probe)
	probe.Cleanup()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	sign := func(user, scope string, at time.Time) string {
		token, err := emails.SignUnsubscribeToken(secret, user, scope, at)
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	all := sign(testkit.IdStudent, collections.UnsubscribeAll, now)
	community := sign(testkit.IdStudent, collections.CategoryCommunity, now)
	expired := sign(testkit.IdStudent, collections.UnsubscribeAll, now.Add(-emails.UnsubscribeTokenTTL-time.Hour))
	forged, _ := emails.SignUnsubscribeToken([]byte("not the secret"), testkit.IdStudent, collections.UnsubscribeAll, now)
	parts := strings.Split(all, ".")
	payload, _ := json.Marshal(map[string]any{"type": "unsubscribe", "scope": "all", "sub": testkit.IdOtherStudent, "exp": now.Add(time.Hour).Unix()})
	tampered := parts[0] + "." + (&jwt.Token{}).EncodeSegment(payload) + "." + parts[2]
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"type": "unsubscribe", "scope": "all", "sub": testkit.IdStudent, "exp": now.Add(time.Hour).Unix()}).
		SignedString(jwt.UnsafeAllowNoneSignatureType)

	path := func(token string) string { return emails.UnsubscribePath + "?token=" + url.QueryEscape(token) }
	prefsOf := func(t testing.TB, app core.App) *core.Record {
		p, err := app.FindFirstRecordByData(collections.NotificationPreferences, collections.PreferenceUser, testkit.IdStudent)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	unchanged := func(t testing.TB, app *tests.TestApp, res *http.Response) {
		if !prefsOf(t, app).GetBool(collections.PreferenceEmailEnabled) {
			t.Errorf("a bad token changed preferences")
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("Content-Type = %q", ct)
		}
	}
	bad := []string{"This unsubscribe link does not work"}

	scenarios := []tests.ApiScenario{
		{
			Name: "GET with a valid token shows a confirmation page and changes nothing", Method: http.MethodGet, URL: path(all),
			ExpectedStatus: 200, ExpectedContent: []string{"Unsubscribe from all notification emails?", `<form method="post"`, "Unsubscribe</button>"},
			ExpectedEvents: map[string]int{"*": 0}, AfterTestFunc: unchanged,
		},
		{Name: "GET tampered", Method: http.MethodGet, URL: path(tampered), ExpectedStatus: 400, ExpectedContent: bad, ExpectedEvents: map[string]int{"*": 0}, AfterTestFunc: unchanged},
		{Name: "GET expired", Method: http.MethodGet, URL: path(expired), ExpectedStatus: 400, ExpectedContent: bad, ExpectedEvents: map[string]int{"*": 0}, AfterTestFunc: unchanged},
		{Name: "GET wrong signature", Method: http.MethodGet, URL: path(forged), ExpectedStatus: 400, ExpectedContent: bad, ExpectedEvents: map[string]int{"*": 0}, AfterTestFunc: unchanged},
		{Name: "GET alg none", Method: http.MethodGet, URL: path(none), ExpectedStatus: 400, ExpectedContent: bad, ExpectedEvents: map[string]int{"*": 0}, AfterTestFunc: unchanged},
		{Name: "GET garbage", Method: http.MethodGet, URL: path("<script>"), ExpectedStatus: 400, ExpectedContent: bad, NotExpectedContent: []string{"<script>"}, ExpectedEvents: map[string]int{"*": 0}, AfterTestFunc: unchanged},
		{Name: "POST without token", Method: http.MethodPost, URL: emails.UnsubscribePath, ExpectedStatus: 400, ExpectedContent: bad, ExpectedEvents: map[string]int{"*": 0}, AfterTestFunc: unchanged},
		{Name: "POST tampered", Method: http.MethodPost, URL: path(tampered), ExpectedStatus: 400, ExpectedContent: bad, ExpectedEvents: map[string]int{"*": 0}, AfterTestFunc: unchanged},
		{
			Name: "POST (the page's button) unsubscribes from all", Method: http.MethodPost, URL: path(all),
			ExpectedStatus: 200, ExpectedContent: []string{"You are unsubscribed"},
			ExpectedEvents: map[string]int{"*": 0, "OnModelUpdate": 1, "OnRecordUpdate": 1, "OnModelValidate": 1, "OnRecordValidate": 1,
				"OnModelUpdateExecute": 1, "OnRecordUpdateExecute": 1, "OnModelAfterUpdateSuccess": 1, "OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if prefsOf(t, app).GetBool(collections.PreferenceEmailEnabled) {
					t.Errorf("emailEnabled still true")
				}
			},
		},
		{
			Name: "RFC 8058 one-click POST unsubscribes from a category", Method: http.MethodPost, URL: path(community),
			Body:           strings.NewReader("List-Unsubscribe=One-Click"),
			Headers:        map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			ExpectedStatus: 200, ExpectedContent: []string{"You are unsubscribed", "community notification emails"},
			ExpectedEvents: map[string]int{"*": 0, "OnModelUpdate": 1, "OnRecordUpdate": 1, "OnModelValidate": 1, "OnRecordValidate": 1,
				"OnModelUpdateExecute": 1, "OnRecordUpdateExecute": 1, "OnModelAfterUpdateSuccess": 1, "OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				p := prefsOf(t, app)
				if !p.GetBool(collections.PreferenceEmailEnabled) {
					t.Errorf("a category link turned all email off")
				}
				var categories map[string]map[string]bool
				if err := json.Unmarshal([]byte(p.GetString(collections.PreferenceCategories)), &categories); err != nil {
					t.Fatal(err)
				}
				if e, ok := categories[collections.CategoryCommunity][collections.ChannelEmail]; !ok || e {
					t.Errorf("categories = %v, want community email off", categories)
				}
				if _, ok := categories[collections.CategoryCommunity][collections.ChannelInApp]; ok {
					t.Errorf("in-app switch touched: %v", categories)
				}
			},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = func(t testing.TB) *tests.TestApp { return testkit.NewTestApp(t) }
		s.Test(t)
	}
}
