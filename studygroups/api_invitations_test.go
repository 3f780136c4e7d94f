package studygroups_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

// TestStudyGroupInvite: POST /api/study-groups/{id}/invite.
func TestStudyGroupInvite(t *testing.T) {
	t.Parallel()
	testScenarios(t, []tests.ApiScenario{
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
	})
}

// TestStudyGroupInvitations: POST /api/study-group-invitations/{id}/accept,
// decline and revoke.
func TestStudyGroupInvitations(t *testing.T) {
	t.Parallel()
	testScenarios(t, []tests.ApiScenario{
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
	})
}
