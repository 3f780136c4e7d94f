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

// studyGroupApp is a fresh test app with the study group fixtures.
func studyGroupApp(t testing.TB) *tests.TestApp {
	app := testkit.NewTestApp(t)
	testkit.SeedStudyGroupFixtures(t, app)
	return app
}

// as is the Authorization header of the user with id userId.
func sgAuth(userId string) map[string]string {
	return map[string]string{"Authorization": testkit.Tokens[userId]}
}

// code is the literal error code a client branches on.
func sgCode(c string) string {
	return `"data":{"code":"` + c + `"}`
}

// sgNothingWritten asserts that a refused request wrote no record.
var sgNothingWritten = map[string]int{"OnRecordCreateExecute": 0, "OnRecordUpdateExecute": 0, "OnRecordDeleteExecute": 0}

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
	for _, s := range scenarios {
		s.TestAppFactory = studyGroupApp
		s.Test(t)
	}
}

func TestStudyGroupRoutes(t *testing.T) {
	t.Parallel()
	scenarios := []tests.ApiScenario{
		// --- join
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

		// --- leave
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

		// --- invite
		{
			Name:            "a member invites; the invitee is notified",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPrivateGroup, "invite"),
			Body:            strings.NewReader(`{"userId":"` + testkit.IdOtherStudent + `"}`),
			Headers:         sgAuth(testkit.IdInstructor),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"invitee":"` + testkit.IdOtherStudent + `"`, `"status":"pending"`, `"inviter":"` + testkit.IdInstructor + `"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if n := testkit.GroupNoticesOf(t, app, testkit.IdOtherStudent, collections.TypeStudyGroupInvite); n != 1 {
					t.Errorf("%d invite notices, want 1", n)
				}
			},
		},
		{
			Name:            "nobody invites themselves",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPrivateGroup, "invite"),
			Body:            strings.NewReader(`{"userId":"` + testkit.IdStudent + `"}`),
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusConflict,
			ExpectedContent: []string{sgCode("cannot_invite_self")},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "a member is not invited",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPrivateGroup, "invite"),
			Body:            strings.NewReader(`{"userId":"` + testkit.IdInstructor + `"}`),
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusConflict,
			ExpectedContent: []string{sgCode("already_member")},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "nobody is invited twice",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPrivateGroup, "invite"),
			Body:            strings.NewReader(`{"userId":"` + testkit.IdDroppedStudent + `"}`),
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusConflict,
			ExpectedContent: []string{sgCode("already_invited")},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "a non-member does not invite to a group they can see",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPublicGroup, "invite"),
			Body:            strings.NewReader(`{"userId":"` + testkit.IdDroppedStudent + `"}`),
			Headers:         sgAuth(testkit.IdOtherInstructor),
			ExpectedStatus:  http.StatusForbidden,
			ExpectedContent: []string{sgCode("not_member")},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "a non-member does not even find a private group",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPrivateGroup, "invite"),
			Body:            strings.NewReader(`{"userId":"` + testkit.IdOtherInstructor + `"}`),
			Headers:         sgAuth(testkit.IdOtherStudent),
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "an invitation names a user",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPrivateGroup, "invite"),
			Body:            strings.NewReader(`{}`),
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"userId":{"code":"validation_required"`},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "an invitation names an existing user",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPrivateGroup, "invite"),
			Body:            strings.NewReader(`{"userId":"nosuchuser00001"}`),
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{sgCode("user_not_found")},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "a body that is not JSON is a 400",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPrivateGroup, "invite"),
			Body:            strings.NewReader(`{"userId":`),
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"status":400`},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "an archived group takes no invitations",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdArchivedGroup, "invite"),
			Body:            strings.NewReader(`{"userId":"` + testkit.IdStudent + `"}`),
			Headers:         sgAuth(testkit.IdOtherStudent),
			ExpectedStatus:  http.StatusConflict,
			ExpectedContent: []string{sgCode("group_inactive")},
			ExpectedEvents:  sgNothingWritten,
		},

		// --- roles
		{
			Name:            "an admin promotes a member, who is notified",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPrivateGroup, "members/"+testkit.IdInstructor+"/role"),
			Body:            strings.NewReader(`{"role":"admin"}`),
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"role":"admin"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if n := testkit.GroupNoticesOf(t, app, testkit.IdInstructor, collections.TypeStudyGroupRoleChanged); n != 1 {
					t.Errorf("%d role notices, want 1", n)
				}
			},
		},
		{
			Name:            "a plain member changes no role",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPrivateGroup, "members/"+testkit.IdInstructor+"/role"),
			Body:            strings.NewReader(`{"role":"admin"}`),
			Headers:         sgAuth(testkit.IdInstructor),
			ExpectedStatus:  http.StatusForbidden,
			ExpectedContent: []string{sgCode("not_admin")},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "a role is admin or member",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPrivateGroup, "members/"+testkit.IdInstructor+"/role"),
			Body:            strings.NewReader(`{"role":"owner"}`),
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"role":{"code":"validation_in_invalid"`},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "the owner stays an admin",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPublicGroup, "members/"+testkit.IdStudent+"/role"),
			Body:            strings.NewReader(`{"role":"member"}`),
			Headers:         sgAuth(testkit.IdOtherStudent),
			ExpectedStatus:  http.StatusConflict,
			ExpectedContent: []string{sgCode("cannot_demote_owner")},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "a role is given to members only",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPrivateGroup, "members/"+testkit.IdOtherStudent+"/role"),
			Body:            strings.NewReader(`{"role":"admin"}`),
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{sgCode("not_member")},
			ExpectedEvents:  sgNothingWritten,
		},

		// --- remove
		{
			Name:           "an admin removes a member",
			Method:         http.MethodPost,
			URL:            testkit.StudyGroupURL(testkit.IdPrivateGroup, "members/"+testkit.IdInstructor+"/remove"),
			Headers:        sgAuth(testkit.IdStudent),
			ExpectedStatus: http.StatusNoContent,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if testkit.GroupMemberRole(t, app, testkit.IdPrivateGroup, testkit.IdInstructor) != "" ||
					testkit.FindStudyGroup(t, app, testkit.IdPrivateGroup).GetInt(collections.StudyGroupMemberCount) != 1 ||
					slices.Contains(testkit.GroupRoomParticipants(t, app, testkit.IdPrivateGroup), testkit.IdInstructor) {
					t.Error("the member is still in the group or its chat room")
				}
			},
		},
		{
			Name:            "a plain member removes nobody",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPrivateGroup, "members/"+testkit.IdStudent+"/remove"),
			Headers:         sgAuth(testkit.IdInstructor),
			ExpectedStatus:  http.StatusForbidden,
			ExpectedContent: []string{sgCode("not_admin")},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "nobody removes the owner",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupURL(testkit.IdPublicGroup, "members/"+testkit.IdStudent+"/remove"),
			Headers:         sgAuth(testkit.IdOtherStudent),
			ExpectedStatus:  http.StatusForbidden,
			ExpectedContent: []string{sgCode("cannot_remove_owner")},
			ExpectedEvents:  sgNothingWritten,
		},

		// --- invitations
		{
			Name:            "the invitee accepts and joins",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupInvitationURL(testkit.IdPendingInvitation, "accept"),
			Headers:         sgAuth(testkit.IdDroppedStudent),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"user":"` + testkit.IdDroppedStudent + `"`, `"group":"` + testkit.IdPrivateGroup + `"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if n := testkit.GroupMembers(t, app, testkit.IdPrivateGroup); n != 3 {
					t.Errorf("%d members, want 3", n)
				}
			},
		},
		{
			Name:            "a full group refuses an accepted invitation",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupInvitationURL(testkit.IdPendingInvitation, "accept"),
			Headers:         sgAuth(testkit.IdDroppedStudent),
			ExpectedStatus:  http.StatusConflict,
			ExpectedContent: []string{sgCode("group_full")},
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				testkit.AddTestMember(t, app, testkit.IdPrivateGroup, testkit.IdOtherInstructor, collections.GroupRoleMember)
			},
			ExpectedEvents: sgNothingWritten,
		},
		{
			Name:            "only the invitee accepts",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupInvitationURL(testkit.IdPendingInvitation, "accept"),
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusForbidden,
			ExpectedContent: []string{sgCode("not_invitee")},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "others do not see the invitation",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupInvitationURL(testkit.IdPendingInvitation, "decline"),
			Headers:         sgAuth(testkit.IdOtherStudent),
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "the invitee declines",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupInvitationURL(testkit.IdPendingInvitation, "decline"),
			Headers:         sgAuth(testkit.IdDroppedStudent),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"status":"declined"`},
		},
		{
			Name:            "an answered invitation is answered",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupInvitationURL(testkit.IdPendingInvitation, "accept"),
			Headers:         sgAuth(testkit.IdDroppedStudent),
			ExpectedStatus:  http.StatusConflict,
			ExpectedContent: []string{sgCode("invitation_not_pending")},
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				invitation, err := app.FindRecordById(collections.StudyGroupInvitations, testkit.IdPendingInvitation)
				if err != nil {
					t.Fatal(err)
				}
				invitation.Set(collections.InvitationStatus, collections.InvitationDeclined)
				if err := app.Save(invitation); err != nil {
					t.Fatal(err)
				}
			},
			ExpectedEvents: sgNothingWritten,
		},
		{
			Name:            "the inviter revokes",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupInvitationURL(testkit.IdPendingInvitation, "revoke"),
			Headers:         sgAuth(testkit.IdStudent),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"status":"revoked"`},
		},
		{
			Name:            "the invitee does not revoke",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupInvitationURL(testkit.IdPendingInvitation, "revoke"),
			Headers:         sgAuth(testkit.IdDroppedStudent),
			ExpectedStatus:  http.StatusForbidden,
			ExpectedContent: []string{sgCode("not_inviter")},
			ExpectedEvents:  sgNothingWritten,
		},
		{
			Name:            "a plain member does not see others' invitations",
			Method:          http.MethodPost,
			URL:             testkit.StudyGroupInvitationURL(testkit.IdPendingInvitation, "revoke"),
			Headers:         sgAuth(testkit.IdInstructor),
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  sgNothingWritten,
		},

		// --- online
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
	}
	for _, s := range scenarios {
		s.TestAppFactory = studyGroupApp
		s.Test(t)
	}
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
	for _, s := range scenarios {
		s.TestAppFactory = studyGroupApp
		s.Test(t)
	}
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

// urlQuery escapes a filter for a query string.
func sgQuery(s string) string {
	return strings.NewReplacer(" ", "%20", "'", "%27", "=", "%3D", "&", "%26").Replace(s)
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
