package studygroups_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

// TestStudyGroupJoin: POST /api/study-groups/{id}/join.
func TestStudyGroupJoin(t *testing.T) {
	t.Parallel()
	testScenarios(t, []tests.ApiScenario{
		{
			Name:            "guests are asked to sign in",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPublicGroup, "join"),
			ExpectedStatus:  http.StatusUnauthorized,
			ExpectedContent: []string{`"status":401`},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "anyone joins a public group; the other members hear of it",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPublicGroup, "join"),
			Headers:         sgAuth(testkit.IdOtherInstructor),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"user":"` + testkit.IdOtherInstructor + `"`, `"role":"member"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1, "OnRecordAfterUpdateSuccess": 2}, // member; group, chat room
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if got := testkit.FindStudyGroup(t, app, testkit.IdPublicGroup).GetInt(collections.StudyGroupMemberCount); got != 3 {
					t.Errorf("memberCount %d, want 3", got)
				}
				if !slices.Contains(testkit.GroupRoomParticipants(t, app, testkit.IdPublicGroup), testkit.IdOtherInstructor) {
					t.Error("the joiner is not in the group's chat room")
				}
				for _, id := range []string{testkit.IdStudent, testkit.IdOtherStudent} {
					if n := testkit.GroupNoticesOf(t, app, id, collections.TypeStudyGroupMemberJoined); n != 1 {
						t.Errorf("%s got %d member_joined notices, want 1", id, n)
					}
				}
				if n := testkit.GroupNoticesOf(t, app, testkit.IdOtherInstructor, collections.TypeStudyGroupMemberJoined); n != 0 {
					t.Errorf("the joiner got %d member_joined notices", n)
				}
			},
		},
		{
			Name:            "joining twice answers the same membership",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPublicGroup, "join"),
			Headers:         sgAuth(testkit.IdOtherStudent),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"user":"` + testkit.IdOtherStudent + `"`, `"role":"admin"`},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "a private group without an invitation is not there",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPrivateGroup, "join"),
			Headers:         sgAuth(testkit.IdOtherStudent),
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "an invitee joins a private group and the invitation is accepted",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPrivateGroup, "join"),
			Headers:         sgAuth(testkit.IdDroppedStudent),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"user":"` + testkit.IdDroppedStudent + `"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				invitation, err := app.FindRecordById(collections.StudyGroupInvitations, testkit.IdPendingInvitation)
				if err != nil || invitation.GetString(collections.InvitationStatus) != collections.InvitationAccepted {
					t.Errorf("invitation not accepted: %v", err)
				}
			},
		},
		{
			Name:            "a full group answers group_full",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdFullGroup, "join"),
			Headers:         sgAuth(testkit.IdOtherStudent),
			ExpectedStatus:  http.StatusConflict,
			ExpectedContent: []string{sgCode("group_full")},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "an unknown group is not there",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL("sgnosuchgroup01", "join"),
			Headers:         sgAuth(testkit.IdOtherStudent),
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"status":404`},
		},
	})
}

// TestStudyGroupLeave: POST /api/study-groups/{id}/leave.
func TestStudyGroupLeave(t *testing.T) {
	t.Parallel()
	testScenarios(t, []tests.ApiScenario{
		{
			Name:            "the last admin cannot leave while others remain",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPrivateGroup, "leave"),
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusConflict,
			ExpectedContent: []string{sgCode("last_admin")},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:           "a member leaves; count and chat room follow",
			Method:         http.MethodPost,
			URL:            testkit.StudyGroupURL(testkit.IdPrivateGroup, "leave"),
			Headers:        sgAuth(testkit.IdInstructor),
			ExpectedStatus: http.StatusNoContent,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if got := testkit.FindStudyGroup(t, app, testkit.IdPrivateGroup).GetInt(collections.StudyGroupMemberCount); got != 1 {
					t.Errorf("memberCount %d, want 1", got)
				}
				if slices.Contains(testkit.GroupRoomParticipants(t, app, testkit.IdPrivateGroup), testkit.IdInstructor) {
					t.Error("the leaver is still in the chat room")
				}
			},
		},
		{
			Name:           "the owner leaves: ownership passes to the other admin",
			Method:         http.MethodPost,
			URL:            testkit.StudyGroupURL(testkit.IdPublicGroup, "leave"),
			Headers:        sgAuth(testkit.IdStudent),
			ExpectedStatus: http.StatusNoContent,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if owner := testkit.FindStudyGroup(t, app, testkit.IdPublicGroup).GetString(collections.StudyGroupOwner); owner != testkit.IdOtherStudent {
					t.Errorf("owner %q, want %q", owner, testkit.IdOtherStudent)
				}
			},
		},
		{
			Name:           "the last member leaves: the group turns inactive and its invitations are revoked",
			Method:         http.MethodPost,
			URL:            testkit.StudyGroupURL(testkit.IdPrivateGroup, "leave"),
			Headers:        sgAuth(testkit.IdStudent),
			ExpectedStatus: http.StatusNoContent,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				member, err := app.FindFirstRecordByFilter(collections.StudyGroupMembers, "group = {:g} && user = {:u}", map[string]any{"g": testkit.IdPrivateGroup, "u": testkit.IdInstructor})
				if err != nil {
					t.Fatal(err)
				}
				if err := app.Delete(member); err != nil {
					t.Fatal(err)
				}
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				group := testkit.FindStudyGroup(t, app, testkit.IdPrivateGroup)
				if group.GetBool(collections.StudyGroupActive) || group.GetInt(collections.StudyGroupMemberCount) != 0 {
					t.Errorf("group %v, want inactive with 0 members", group.PublicExport())
				}
				invitation, _ := app.FindRecordById(collections.StudyGroupInvitations, testkit.IdPendingInvitation)
				if invitation.GetString(collections.InvitationStatus) != collections.InvitationRevoked {
					t.Errorf("invitation %s, want revoked", invitation.GetString(collections.InvitationStatus))
				}
			},
		},
		{
			Name:            "a non-member of a group they can see cannot leave it",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPublicGroup, "leave"),
			Headers:         sgAuth(testkit.IdOtherInstructor),
			ExpectedStatus:  http.StatusConflict,
			ExpectedContent: []string{sgCode("not_member")},
			ExpectedEvents:  sgNothingWritten,
		},
	})
}

// TestStudyGroupConcurrentJoins sends 100 joins at once, over real HTTP, to
// a group with 2 members and room for 10: exactly 8 get in.
func TestStudyGroupConcurrentJoins(t *testing.T) {
	t.Parallel()
	app := studyGroupApp(t)
	defer app.Cleanup()
	app.Settings().RateLimits.Enabled = false

	group := testkit.FindStudyGroup(t, app, testkit.IdPublicGroup)
	group.Set(collections.StudyGroupMaxMembers, 10)
	if err := app.Save(group); err != nil {
		t.Fatal(err)
	}
	srv := testkit.StartServer(t, app)
	users := testkit.InsertUsers(t, app, "sgjoin", 100)

	windowBefore := time.Now().Unix() / 600
	counts := testkit.TallyRush(testkit.SendRush(http.MethodPost, srv.URL+testkit.StudyGroupURL(testkit.IdPublicGroup, "join"), users))
	t.Logf("100 concurrent joins: %v", counts)
	windows := int(time.Now().Unix()/600-windowBefore) + 1
	if counts["200"] != 8 || counts["409 group_full"] != 92 || len(counts) != 2 {
		t.Errorf("answers %v, want 8 × 200 and 92 × 409 group_full", counts)
	}
	if n := testkit.GroupMembers(t, app, testkit.IdPublicGroup); n != 10 {
		t.Errorf("%d member rows, want 10", n)
	}
	if n := testkit.FindStudyGroup(t, app, testkit.IdPublicGroup).GetInt(collections.StudyGroupMemberCount); n != 10 {
		t.Errorf("memberCount %d, want 10", n)
	}
	if n := len(testkit.GroupRoomParticipants(t, app, testkit.IdPublicGroup)); n != 10 {
		t.Errorf("%d chat participants, want 10", n)
	}
	// coalesced: the first members heard once per 10-minute window,
	// however many joined
	if n := testkit.GroupNoticesOf(t, app, testkit.IdStudent, collections.TypeStudyGroupMemberJoined); n < 1 || n > windows {
		t.Errorf("the owner got %d member_joined notices, want 1 (one per 10-minute window)", n)
	}
}
