package studygroups_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/testkit"
)

// TestStudyGroupOnlineRoute: GET /api/study-groups/{id}/online.
func TestStudyGroupOnlineRoute(t *testing.T) {
	t.Parallel()
	testScenarios(t, []tests.ApiScenario{
		{
			Name:            "a member sees the online count",
			Method:          http.MethodGet,
			URL:             testkit.StudyGroupURL(testkit.IdPrivateGroup, "online"),
			Headers:         sgAuth(testkit.IdInstructor),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"members":2,"online":0}`},
		},
		{
			Name:            "a non-member does not find a private group's count",
			Method:          http.MethodGet,
			URL:             testkit.StudyGroupURL(testkit.IdPrivateGroup, "online"),
			Headers:         sgAuth(testkit.IdOtherStudent),
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"status":404`},
		},
	})
}

// TestStudyGroupOnline counts a member with an open realtime connection.
func TestStudyGroupOnline(t *testing.T) {
	t.Parallel()
	app := studyGroupApp(t)
	defer app.Cleanup()
	srv := testkit.StartServer(t, app)

	rt := testkit.ConnectRealtime(t, srv.URL)
	rt.Subscribe(t, testkit.Tokens[testkit.IdInstructor], "study_groups/*")
	var body map[string]int
	if status := testkit.ApiRequest(t, srv.URL, http.MethodGet, testkit.StudyGroupURL(testkit.IdPrivateGroup, "online"), testkit.Tokens[testkit.IdStudent], nil, &body); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	if body["online"] != 1 || body["members"] != 2 {
		t.Errorf("online %v, want 1 of 2", body)
	}
}
