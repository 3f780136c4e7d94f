package studygroups_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/testkit"
)

// TestUserSearchExcludeGroupPrivacy: excludeGroup filters only for a
// caller who may list the group's members; an invitee of a private group
// gets exactly the answer of a group that does not exist.
func TestUserSearchExcludeGroupPrivacy(t *testing.T) {
	t.Parallel()
	app := studyGroupApp(t)
	t.Cleanup(app.Cleanup)
	app.Settings().RateLimits.Enabled = false
	srv := testkit.StartServer(t, app)

	get := func(userId, query string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/users/search?"+query, nil)
		req.Header.Set("Authorization", testkit.Tokens[userId])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(raw)
	}

	// the invitee can view the private group but not list its members
	if status, _ := get(testkit.IdDroppedStudent, "q=in"); status != http.StatusOK {
		t.Fatalf("search: %d", status)
	}
	for _, q := range []string{"in", "sam", "ada"} {
		privateStatus, privateBody := get(testkit.IdDroppedStudent, "q="+q+"&excludeGroup="+testkit.IdPrivateGroup)
		noneStatus, noneBody := get(testkit.IdDroppedStudent, "q="+q+"&excludeGroup=sgnosuchgroup01")
		if privateStatus != noneStatus || privateBody != noneBody {
			t.Errorf("q=%s: the invitee tells the private group from a missing one\n  private: %d %s\n  missing: %d %s",
				q, privateStatus, privateBody, noneStatus, noneBody)
		}
	}

	// a member gets the filtered answer
	_, all := get(testkit.IdInstructor, "q=sam")
	_, filtered := get(testkit.IdInstructor, "q=sam&excludeGroup="+testkit.IdPrivateGroup)
	if !strings.Contains(all, testkit.IdStudent) || strings.Contains(filtered, testkit.IdStudent) {
		t.Errorf("a member's excludeGroup: without %s, with %s", all, filtered)
	}
	// and so does anyone for a public group
	_, public := get(testkit.IdDroppedStudent, "q=olive&excludeGroup="+testkit.IdPublicGroup)
	if strings.TrimSpace(public) != `{"items":[]}` {
		t.Errorf("public group: %s", public)
	}
}

func TestUserSearch(t *testing.T) {
	t.Parallel()
	scenarios := []tests.ApiScenario{
		{
			Name:            "guests are asked to sign in",
			Method:          http.MethodGet,
			URL:             "/api/users/search?q=ad",
			ExpectedStatus:  http.StatusUnauthorized,
			ExpectedContent: []string{`"status":401`},
		},
		{
			Name:            "one character is too short",
			Method:          http.MethodGet,
			URL:             "/api/users/search?q=%20a%20",
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{sgCode("query_too_short")},
		},
		{
			Name:               "names match, the caller is left out, emails never show",
			Method:             http.MethodGet,
			URL:                "/api/users/search?q=ST",
			Headers:            sgAuth(testkit.IdStudent),
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`{"items":[{"id":"` + testkit.IdInstructor + `","name":"Ada Instructor","avatar":""},{"id":"` + testkit.IdOtherInstructor + `","name":"Otto Instructor","avatar":""}]}`},
			NotExpectedContent: []string{"@", "email", testkit.IdStudent},
		},
		{
			Name:            "emails are not searched",
			Method:          http.MethodGet,
			URL:             "/api/users/search?q=studyhall.test",
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"items":[]}`},
		},
		{
			Name:            "LIKE wildcards are plain characters",
			Method:          http.MethodGet,
			URL:             "/api/users/search?q=%25%25",
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"items":[]}`},
		},
		{
			Name:               "excludeGroup leaves out members",
			Method:             http.MethodGet,
			URL:                "/api/users/search?q=in&excludeGroup=" + testkit.IdPrivateGroup,
			Headers:            sgAuth(testkit.IdStudent),
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`{"items":[{"id":"` + testkit.IdOtherInstructor + `"`},
			NotExpectedContent: []string{testkit.IdInstructor},
		},
		{
			Name:            "excludeGroup leaves out pending invitees",
			Method:          http.MethodGet,
			URL:             "/api/users/search?q=dr&excludeGroup=" + testkit.IdPrivateGroup,
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"items":[]}`},
		},
		{
			Name:            "without excludeGroup the invitee is found",
			Method:          http.MethodGet,
			URL:             "/api/users/search?q=dr",
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"id":"` + testkit.IdDroppedStudent + `"`},
		},
		{
			Name:            "excludeGroup must be a group the caller sees",
			Method:          http.MethodGet,
			URL:             "/api/users/search?q=ad&excludeGroup=" + testkit.IdPrivateGroup,
			Headers:         sgAuth(testkit.IdOtherStudent),
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"status":404`},
		},
		{
			Name:               "limit is honoured",
			Method:             http.MethodGet,
			URL:                "/api/users/search?q=st&limit=1",
			Headers:            sgAuth(testkit.IdStudent),
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`{"items":[{"id":"` + testkit.IdInstructor + `"`},
			NotExpectedContent: []string{testkit.IdOtherInstructor},
		},
		{
			Name:            "a bad limit is a 400",
			Method:          http.MethodGet,
			URL:             "/api/users/search?q=st&limit=ten",
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{sgCode("invalid_limit")},
		},
	}
	testScenarios(t, scenarios)
}

// TestUserSearchRateLimit hammers the search as one user: after the burst
// the answer is 429, while another user still searches.
func TestUserSearchRateLimit(t *testing.T) {
	t.Parallel()
	app := studyGroupApp(t)
	defer app.Cleanup()
	app.Settings().RateLimits.Enabled = false
	srv := testkit.StartServer(t, app)

	limited := 0
	for range 40 {
		var body map[string]any
		if testkit.ApiRequest(t, srv.URL, http.MethodGet, "/api/users/search?q=st", testkit.Tokens[testkit.IdStudent], nil, &body) == http.StatusTooManyRequests {
			limited++
			if data, _ := body["data"].(map[string]any); data["code"] != "rate_limited" {
				t.Errorf("429 body %v", body)
			}
		}
	}
	if limited == 0 {
		t.Error("40 searches in a row were never limited")
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodGet, "/api/users/search?q=st", testkit.Tokens[testkit.IdOtherStudent], nil, nil); status != http.StatusOK {
		t.Errorf("another user got %d", status)
	}
}
