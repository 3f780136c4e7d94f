package presence_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/testkit"
)

func TestPresenceStatusAPI(t *testing.T) {
	t.Parallel()

	scenarios := []tests.ApiScenario{
		{
			Name:           "a manual status is kept, while the user shows as gone",
			Method:         http.MethodPut,
			URL:            "/api/presence/status",
			Body:           strings.NewReader(`{"status":"busy","activity":"In session: Algebra"}`),
			Headers:        testkit.AuthHeader(testkit.Student),
			ExpectedStatus: 200,
			ExpectedContent: []string{`"user":"` + testkit.IdStudent + `"`, `"status":"offline"`,
				`"manualStatus":"busy"`, `"activity":"In session: Algebra"`},
			ExpectedEvents: map[string]int{"*": 0, "OnRecordEnrich": 1},
		},
		{
			Name:            "offline is not a manual status",
			Method:          http.MethodPut,
			URL:             "/api/presence/status",
			Body:            strings.NewReader(`{"status":"offline"}`),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":{"code":"validation_invalid_status"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a missing status",
			Method:          http.MethodPut,
			URL:             "/api/presence/status",
			Body:            strings.NewReader(`{}`),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":{"code":"validation_required"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a guest",
			Method:          http.MethodPut,
			URL:             "/api/presence/status",
			Body:            strings.NewReader(`{"status":"busy"}`),
			ExpectedStatus:  401,
			ExpectedContent: []string{`"status":401`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = testkit.NewTestApp
		s.Test(t)
	}
}

// TestPresenceStatusRateLimit: a burst of status changes gets 429
// rate_limited with Retry-After, while another user goes on.
func TestPresenceStatusRateLimit(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	srv := testkit.StartServer(t, app)

	send := func(actor string) (*http.Response, map[string]any) {
		req, _ := http.NewRequest(http.MethodPut, srv.URL+"/api/presence/status", strings.NewReader(`{"status":"busy"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", testkit.Tokens[actor])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body map[string]any
		json.NewDecoder(res.Body).Decode(&body)
		return res, body
	}
	var limited *http.Response
	var limitedBody map[string]any
	for range 30 {
		if res, body := send(testkit.Student); res.StatusCode == http.StatusTooManyRequests {
			limited, limitedBody = res, body
			break
		}
	}
	if limited == nil {
		t.Fatal("30 status changes at once were all accepted")
	}
	if retry, err := strconv.Atoi(limited.Header.Get("Retry-After")); err != nil || retry < 1 {
		t.Errorf("Retry-After %q", limited.Header.Get("Retry-After"))
	}
	if data, _ := limitedBody["data"].(map[string]any); data["code"] != "rate_limited" {
		t.Errorf("429 body %v", limitedBody)
	}
	if res, _ := send(testkit.OtherStudent); res.StatusCode != http.StatusOK {
		t.Errorf("another user: %d", res.StatusCode)
	}
}
