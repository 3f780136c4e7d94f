package studygroups_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/commands"
	"studyhall/testkit"
)

func TestStudyGroupFixtures(t *testing.T) {
	t.Parallel()
	app := studyGroupApp(t)
	defer app.Cleanup()

	for id, want := range map[string]int{testkit.IdPublicGroup: 2, testkit.IdPrivateGroup: 2, testkit.IdFullGroup: 2, testkit.IdArchivedGroup: 1} {
		group := testkit.FindStudyGroup(t, app, id)
		if got := group.GetInt(collections.StudyGroupMemberCount); got != want || testkit.GroupMembers(t, app, id) != want {
			t.Errorf("%s: memberCount %d, rows %d, want %d", id, got, testkit.GroupMembers(t, app, id), want)
		}
		if got := len(testkit.GroupRoomParticipants(t, app, id)); got != want {
			t.Errorf("%s: %d chat participants, want %d", id, got, want)
		}
	}
	if role := testkit.GroupMemberRole(t, app, testkit.IdPrivateGroup, testkit.IdStudent); role != collections.GroupRoleAdmin {
		t.Errorf("owner's role %q, want admin", role)
	}
}

func TestStudyGroupCreateAndUpdate(t *testing.T) {
	t.Parallel()
	scenarios := []tests.ApiScenario{
		{
			Name:           "a student creates a group and becomes its owner and first admin, with a chat room",
			Method:         http.MethodPost,
			URL:            testkit.RecordsURL(collections.StudyGroups),
			Body:           strings.NewReader(`{"name":"Calculus crew","visibility":"private","maxMembers":5}`),
			Headers:        sgAuth(testkit.IdOtherStudent),
			ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{
				`"owner":"` + testkit.IdOtherStudent + `"`, `"memberCount":1`, `"active":true`, `"visibility":"private"`,
			},
			ExpectedEvents: map[string]int{"OnRecordAfterCreateSuccess": 3}, // group, chat room, admin row
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				group, err := app.FindFirstRecordByData(collections.StudyGroups, collections.StudyGroupName, "Calculus crew")
				if err != nil {
					t.Fatal(err)
				}
				if role := testkit.GroupMemberRole(t, app, group.Id, testkit.IdOtherStudent); role != collections.GroupRoleAdmin {
					t.Errorf("creator's role %q, want admin", role)
				}
				room, err := app.FindRecordById(collections.ChatRooms, group.GetString(collections.StudyGroupChatRoom))
				if err != nil {
					t.Fatal(err)
				}
				if room.GetString(collections.ChatRoomType) != collections.ChatRoomTypeStudyGroup ||
					!slices.Equal(room.GetStringSlice(collections.ChatRoomParticipants), []string{testkit.IdOtherStudent}) {
					t.Errorf("chat room %v", room.PublicExport())
				}
			},
		},
		{
			Name:            "nobody creates a group in someone else's name",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.StudyGroups),
			Body:            strings.NewReader(`{"name":"Mine","owner":"` + testkit.IdStudent + `"}`),
			Headers:         sgAuth(testkit.IdOtherStudent),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"owner":{"code":"validation_server_field"`},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "memberCount is the server's",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.StudyGroups),
			Body:            strings.NewReader(`{"name":"Mine","memberCount":50}`),
			Headers:         sgAuth(testkit.IdOtherStudent),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"memberCount":{"code":"validation_server_field"`},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "guests create no group",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.StudyGroups),
			Body:            strings.NewReader(`{"name":"Mine"}`),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"status":400`},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "a member limit of 1 is refused",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.StudyGroups),
			Body:            strings.NewReader(`{"name":"Alone","maxMembers":1}`),
			Headers:         sgAuth(testkit.IdOtherStudent),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"maxMembers":{"code":"validation_min_number_constraint"`},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "an admin who is not the owner renames the group",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.StudyGroups, testkit.IdPublicGroup),
			Body:            strings.NewReader(`{"name":"Renamed","maxMembers":2}`),
			Headers:         sgAuth(testkit.IdOtherStudent),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"name":"Renamed"`, `"memberCount":2`, `"maxMembers":2`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
		},
		{
			Name:            "maxMembers never below the member count",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.StudyGroups, testkit.IdPrivateGroup),
			Body:            strings.NewReader(`{"maxMembers":2}`),
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"maxMembers":{"code":"validation_below_member_count"`},
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				testkit.AddTestMember(t, app, testkit.IdPrivateGroup, testkit.IdOtherInstructor, collections.GroupRoleMember)
			},
			ExpectedEvents: map[string]int{"OnRecordAfterUpdateSuccess": 0},
		},
		{
			Name:            "a plain member does not update the group",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.StudyGroups, testkit.IdPrivateGroup),
			Body:            strings.NewReader(`{"name":"Mine now"}`),
			Headers:         sgAuth(testkit.IdInstructor),
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "an admin does not hand the group to someone else",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.StudyGroups, testkit.IdPublicGroup),
			Body:            strings.NewReader(`{"owner":"` + testkit.IdOtherStudent + `"}`),
			Headers:         sgAuth(testkit.IdOtherStudent),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"owner":{"code":"validation_server_field"`},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:           "only the owner deletes; members, invitations and the chat room go with the group",
			Method:         http.MethodDelete,
			URL:            testkit.RecordsURL(collections.StudyGroups, testkit.IdPrivateGroup),
			Headers:        sgAuth(testkit.IdStudent),
			ExpectedStatus: http.StatusNoContent,
			// the group, 2 members, 1 invitation, the chat room
			ExpectedEvents: map[string]int{"OnRecordAfterDeleteSuccess": 5},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if n := testkit.GroupMembers(t, app, testkit.IdPrivateGroup); n != 0 {
					t.Errorf("%d members left", n)
				}
				if n := testkit.CountRecords(t, app, collections.StudyGroupInvitations, "group = '"+testkit.IdPrivateGroup+"'"); n != 0 {
					t.Errorf("%d invitations left", n)
				}
				if n := testkit.CountRecords(t, app, collections.ChatRooms, "type = 'study_group'"); n != 3 {
					t.Errorf("%d study group chat rooms, want 3", n)
				}
			},
		},
		{
			Name:            "an admin who is not the owner does not delete",
			Method:          http.MethodDelete,
			URL:             testkit.RecordsURL(collections.StudyGroups, testkit.IdPublicGroup),
			Headers:         sgAuth(testkit.IdOtherStudent),
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  sgNothingWritten,
		},
	}
	testScenarios(t, scenarios)
}

// TestStudyGroupPrivacy checks that a non-member never sees a private
// group, its members or its invitations: not by list, view or expand, and
// not by realtime.
func TestStudyGroupPrivacy(t *testing.T) {
	t.Parallel()
	app := studyGroupApp(t)
	defer app.Cleanup()
	srv := testkit.StartServer(t, app)

	// get answers the status and raw body of a GET as token
	get := func(token, path string) (int, string) {
		var body json.RawMessage
		status := testkit.ApiRequest(t, srv.URL, http.MethodGet, path, token, nil, &body)
		return status, string(body)
	}
	secrets := []string{testkit.IdPrivateGroup, testkit.IdPendingInvitation, "Group " + testkit.IdPrivateGroup}
	outsider := testkit.Tokens[testkit.IdOtherInstructor]
	checks := []struct {
		name, path string
		status     int
	}{
		{"list groups", testkit.RecordsURL(collections.StudyGroups) + "?perPage=100", http.StatusOK},
		{"view the private group", testkit.RecordsURL(collections.StudyGroups, testkit.IdPrivateGroup), http.StatusNotFound},
		{"list its members", testkit.RecordsURL(collections.StudyGroupMembers) + "?perPage=100&expand=group", http.StatusOK},
		{"filter members by the group", testkit.RecordsURL(collections.StudyGroupMembers) + "?filter=" + sgQuery("group='"+testkit.IdPrivateGroup+"'"), http.StatusOK},
		{"list invitations", testkit.RecordsURL(collections.StudyGroupInvitations) + "?expand=group", http.StatusOK},
		{"view the invitation", testkit.RecordsURL(collections.StudyGroupInvitations, testkit.IdPendingInvitation), http.StatusNotFound},
		{"expand a member's groups", testkit.RecordsURL(collections.Users, testkit.IdInstructor) + "?expand=" + sgQuery("study_group_members_via_user.group"), http.StatusOK},
		{"filter users by the group", testkit.RecordsURL(collections.Users) + "?filter=" + sgQuery("study_group_members_via_user.group='"+testkit.IdPrivateGroup+"'"), http.StatusOK},
		{"list chat rooms", testkit.RecordsURL(collections.ChatRooms), http.StatusOK},
	}
	for _, c := range checks {
		status, body := get(outsider, c.path)
		if status != c.status {
			t.Errorf("outsider, %s: status %d, want %d", c.name, status, c.status)
		}
		for _, secret := range secrets {
			if strings.Contains(body, secret) {
				t.Errorf("outsider, %s: %q leaked in %s", c.name, secret, body)
			}
		}
	}
	if _, body := get(outsider, testkit.RecordsURL(collections.StudyGroups)); !strings.Contains(body, testkit.IdPublicGroup) {
		t.Errorf("outsider does not see the public group: %s", body)
	}
	// the expand works where it may: the outsider is a member of the full group
	if _, body := get(outsider, testkit.RecordsURL(collections.Users, testkit.IdInstructor)+"?expand="+sgQuery("study_group_members_via_user.group")); !strings.Contains(body, testkit.IdFullGroup) {
		t.Errorf("expand shows nothing at all: %s", body)
	}

	// the invitee sees the group and their invitation, not its members
	invitee := testkit.Tokens[testkit.IdDroppedStudent]
	if status, _ := get(invitee, testkit.RecordsURL(collections.StudyGroups, testkit.IdPrivateGroup)); status != http.StatusOK {
		t.Errorf("invitee, view: %d", status)
	}
	if _, body := get(invitee, testkit.RecordsURL(collections.StudyGroupMembers)+"?filter="+sgQuery("group='"+testkit.IdPrivateGroup+"'")); !strings.Contains(body, `"items":[]`) {
		t.Errorf("invitee sees members: %s", body)
	}
	if _, body := get(invitee, testkit.RecordsURL(collections.StudyGroupInvitations)); !strings.Contains(body, testkit.IdPendingInvitation) {
		t.Errorf("invitee does not see their invitation: %s", body)
	}
	// an answered invitation opens nothing, even beside someone else's
	// pending one (the rule's conditions hold for one invitation row)
	declined, err := app.FindRecordById(collections.StudyGroupInvitations, testkit.IdPendingInvitation)
	if err != nil {
		t.Fatal(err)
	}
	declined.Set(collections.InvitationStatus, collections.InvitationDeclined)
	if err := app.Save(declined); err != nil {
		t.Fatal(err)
	}
	if _, err := testkit.SaveRecord(app, collections.StudyGroupInvitations, "sginvitation002", map[string]any{
		collections.InvitationGroup: testkit.IdPrivateGroup, collections.InvitationInviter: testkit.IdStudent,
		collections.InvitationInvitee: testkit.IdOtherStudent, collections.InvitationStatus: collections.InvitationPending,
	}); err != nil {
		t.Fatal(err)
	}
	if status, _ := get(invitee, testkit.RecordsURL(collections.StudyGroups, testkit.IdPrivateGroup)); status != http.StatusNotFound {
		t.Errorf("a declined invitee still sees the group: %d", status)
	}
	declined.Set(collections.InvitationStatus, collections.InvitationPending)
	if err := app.Save(declined); err != nil {
		t.Fatal(err)
	}

	// public groups' members are seen by every signed-in user
	if _, body := get(outsider, testkit.RecordsURL(collections.StudyGroupMembers)+"?filter="+sgQuery("group='"+testkit.IdPublicGroup+"'")); !strings.Contains(body, `"totalItems":2`) {
		t.Errorf("public members: %s", body)
	}

	// realtime: the outsider hears nothing of the private group, the
	// member does; the outsider's next event is the public group's
	outsiderRT := testkit.ConnectRealtime(t, srv.URL)
	outsiderRT.Subscribe(t, outsider, "study_groups/*", "study_group_members/*", "study_group_invitations/*")
	memberRT := testkit.ConnectRealtime(t, srv.URL)
	memberRT.Subscribe(t, testkit.Tokens[testkit.IdInstructor], "study_groups/*")

	if status := testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.StudyGroups, testkit.IdPrivateGroup),
		testkit.Tokens[testkit.IdStudent], map[string]any{"name": "Secret society"}, nil); status != http.StatusOK {
		t.Fatalf("rename: %d", status)
	}
	ev := memberRT.ExpectEvent(t, "study_groups/*", 2*time.Second)
	if ev.Action != "update" || ev.Record["name"] != "Secret society" {
		t.Errorf("member's event %+v", ev)
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.StudyGroupInvitationURL(testkit.IdPendingInvitation, "accept"),
		invitee, nil, nil); status != http.StatusOK {
		t.Fatalf("accept: %d", status)
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.StudyGroupInvitationURL("sginvitation002", "revoke"),
		testkit.Tokens[testkit.IdStudent], nil, nil); status != http.StatusOK {
		t.Fatalf("revoke: %d", status)
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.StudyGroups, testkit.IdPublicGroup),
		testkit.Tokens[testkit.IdStudent], map[string]any{"name": "Open house"}, nil); status != http.StatusOK {
		t.Fatalf("rename public: %d", status)
	}
	ev = outsiderRT.ExpectEvent(t, "study_groups/*", 2*time.Second)
	if ev.Record["id"] != testkit.IdPublicGroup {
		t.Errorf("outsider's first event is about %v, want the public group", ev.Record["id"])
	}
	outsiderRT.ExpectNoEvent(t, 300*time.Millisecond)
}

// TestStudyGroupAccountDeletion passes a deleted owner's group on.
func TestStudyGroupAccountDeletion(t *testing.T) {
	t.Parallel()
	app := studyGroupApp(t)
	defer app.Cleanup()

	student, err := app.FindRecordById(collections.Users, testkit.IdStudent)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Delete(student); err != nil {
		t.Fatal(err)
	}
	private := testkit.FindStudyGroup(t, app, testkit.IdPrivateGroup)
	if private.GetString(collections.StudyGroupOwner) != testkit.IdInstructor ||
		testkit.GroupMemberRole(t, app, testkit.IdPrivateGroup, testkit.IdInstructor) != collections.GroupRoleAdmin ||
		private.GetInt(collections.StudyGroupMemberCount) != 1 {
		t.Errorf("private group after the owner's deletion: %v", private.PublicExport())
	}
	if owner := testkit.FindStudyGroup(t, app, testkit.IdPublicGroup).GetString(collections.StudyGroupOwner); owner != testkit.IdOtherStudent {
		t.Errorf("public group owner %q, want %q", owner, testkit.IdOtherStudent)
	}
}

// TestStudyGroupSeed: seed --demo makes a public and a private group with
// a pending invitation, once however often it runs.
func TestStudyGroupSeed(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()

	for range 2 {
		if _, err := commands.SeedDemo(app); err != nil {
			t.Fatal(err)
		}
	}
	if n := testkit.CountRecords(t, app, collections.StudyGroups, "visibility = 'public'"); n != 1 {
		t.Errorf("%d public groups, want 1", n)
	}
	if n := testkit.CountRecords(t, app, collections.StudyGroups, "visibility = 'private' && memberCount = 2 && chatRoom != ''"); n != 1 {
		t.Errorf("%d private groups with 2 members and a chat room, want 1", n)
	}
	if n := testkit.CountRecords(t, app, collections.StudyGroupInvitations, "status = 'pending' && invitee.email = 'student@studyhall.test'"); n != 1 {
		t.Errorf("%d pending invitations for the demo student, want 1", n)
	}
}
