package studygroups_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

// TestStudyGroupMemberRole: POST /api/study-groups/{id}/members/{userId}/role.
func TestStudyGroupMemberRole(t *testing.T) {
	t.Parallel()
	testScenarios(t, []tests.ApiScenario{
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
	})
}

// TestStudyGroupMemberRemove: POST /api/study-groups/{id}/members/{userId}/remove.
func TestStudyGroupMemberRemove(t *testing.T) {
	t.Parallel()
	testScenarios(t, []tests.ApiScenario{
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
	})
}
