package presence_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/testkit"
)

func TestPresenceHeartbeatAPI(t *testing.T) {
	t.Parallel()

	scenarios := []tests.ApiScenario{
		{
			Name:           "a heartbeat answers with the caller's own row",
			Method:         http.MethodPost,
			URL:            "/api/presence/heartbeat",
			Body:           strings.NewReader(`{"active":true,"activity":"Reading"}`),
			Headers:        testkit.AuthHeader(testkit.Student),
			ExpectedStatus: 200,
			ExpectedContent: []string{`"user":"` + testkit.IdStudent + `"`, `"status":"online"`,
				`"activity":"Reading"`, `"manualStatus":""`},
			ExpectedEvents: map[string]int{"*": 0, "OnRecordEnrich": 1},
		},
		{
			Name:            "a guest",
			Method:          http.MethodPost,
			URL:             "/api/presence/heartbeat",
			Body:            strings.NewReader(`{}`),
			ExpectedStatus:  401,
			ExpectedContent: []string{`"status":401`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "an oversize activity",
			Method:          http.MethodPost,
			URL:             "/api/presence/heartbeat",
			Body:            strings.NewReader(`{"activity":"` + strings.Repeat("a", 101) + `"}`),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"activity":{"code":"validation_max_text_constraint"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "an activity of the wrong type",
			Method:          http.MethodPost,
			URL:             "/api/presence/heartbeat",
			Body:            strings.NewReader(`{"activity":12}`),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"activity":{"code":"validation_invalid_type"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = testkit.NewTestApp
		s.Test(t)
	}
}

// TestPresenceHeartbeatRateLimit: heartbeats sent at once hit the per-user
// limit.
func TestPresenceHeartbeatRateLimit(t *testing.T) {
	t.Parallel()

	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	srv := testkit.StartServer(t, app)

	limited := 0
	for range 15 {
		if testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/presence/heartbeat", testkit.Tokens[testkit.Instructor], map[string]any{}, nil) == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Error("15 heartbeats at once were all accepted")
	}
}
