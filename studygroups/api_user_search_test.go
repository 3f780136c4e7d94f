package studygroups_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

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
