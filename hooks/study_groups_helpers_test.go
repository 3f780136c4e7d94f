package hooks_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
)

// Study group fixtures, made by seedStudyGroupFixtures in a test's own app.
const (
	// idPublicGroup: public, owner idStudent (admin), idOtherStudent admin.
	idPublicGroup = "sgpublicgroup01"
	// idPrivateGroup: private, max 3, owner idStudent (admin), idInstructor
	// member; idDroppedStudent has idPendingInvitation to it.
	idPrivateGroup = "sgprivategroup1"
	// idFullGroup: public, max 2, owner idInstructor, idOtherInstructor member.
	idFullGroup = "sgfullgroup0001"
	// idArchivedGroup: private, archived (active false), owner idOtherStudent alone.
	idArchivedGroup = "sgarchived00001"

	idPendingInvitation = "sginvitation001" // idStudent invites idDroppedStudent to idPrivateGroup
)

// seedStudyGroupFixtures creates the study group fixtures through app.Save,
// so the hooks make each group's chat room and first admin as they do for
// the API.
func seedStudyGroupFixtures(t testing.TB, app core.App) {
	t.Helper()
	groups := []struct {
		id, owner, visibility string
		maxMembers            int
	}{
		{idPublicGroup, idStudent, collections.StudyGroupPublic, 0},
		{idPrivateGroup, idStudent, collections.StudyGroupPrivate, 3},
		{idFullGroup, idInstructor, collections.StudyGroupPublic, 2},
		{idArchivedGroup, idOtherStudent, collections.StudyGroupPrivate, 0},
	}
	for _, g := range groups {
		if _, err := saveRecord(app, collections.StudyGroups, g.id, map[string]any{
			collections.StudyGroupName:        "Group " + g.id,
			collections.StudyGroupDescription: "We meet on Tuesdays.",
			collections.StudyGroupOwner:       g.owner,
			collections.StudyGroupVisibility:  g.visibility,
			collections.StudyGroupMaxMembers:  g.maxMembers,
		}); err != nil {
			t.Fatal(err)
		}
	}
	addTestMember(t, app, idPublicGroup, idOtherStudent, collections.GroupRoleAdmin)
	addTestMember(t, app, idPrivateGroup, idInstructor, collections.GroupRoleMember)
	addTestMember(t, app, idFullGroup, idOtherInstructor, collections.GroupRoleMember)

	if _, err := saveRecord(app, collections.StudyGroupInvitations, idPendingInvitation, map[string]any{
		collections.InvitationGroup:   idPrivateGroup,
		collections.InvitationInviter: idStudent,
		collections.InvitationInvitee: idDroppedStudent,
		collections.InvitationStatus:  collections.InvitationPending,
	}); err != nil {
		t.Fatal(err)
	}

	archived := findStudyGroup(t, app, idArchivedGroup)
	archived.Set(collections.StudyGroupActive, false)
	if err := app.Save(archived); err != nil {
		t.Fatal(err)
	}
}

// addTestMember writes a member row through app.Save, as the routes do.
func addTestMember(t testing.TB, app core.App, groupId, userId, role string) *core.Record {
	t.Helper()
	members, err := app.FindCollectionByNameOrId(collections.StudyGroupMembers)
	if err != nil {
		t.Fatal(err)
	}
	member := core.NewRecord(members)
	member.Set(collections.GroupMemberGroup, groupId)
	member.Set(collections.GroupMemberUser, userId)
	member.Set(collections.GroupMemberRole, role)
	if err := app.Save(member); err != nil {
		t.Fatal(err)
	}
	return member
}

func findStudyGroup(t testing.TB, app core.App, id string) *core.Record {
	t.Helper()
	group, err := app.FindRecordById(collections.StudyGroups, id)
	if err != nil {
		t.Fatal(err)
	}
	return group
}

// groupMembers counts the member rows of a group.
func groupMembers(t testing.TB, app core.App, groupId string) int {
	t.Helper()
	return countRecords(t, app, collections.StudyGroupMembers, "group = '"+groupId+"'")
}

// groupRoomParticipants is the participants of the group's chat room.
func groupRoomParticipants(t testing.TB, app core.App, groupId string) []string {
	t.Helper()
	room, err := app.FindRecordById(collections.ChatRooms, findStudyGroup(t, app, groupId).GetString(collections.StudyGroupChatRoom))
	if err != nil {
		t.Fatal(err)
	}
	return room.GetStringSlice(collections.ChatRoomParticipants)
}

// groupMemberRole is userId's role in the group, or "" for a non-member.
func groupMemberRole(t testing.TB, app core.App, groupId, userId string) string {
	t.Helper()
	member, err := app.FindFirstRecordByFilter(collections.StudyGroupMembers,
		"group = {:group} && user = {:user}", map[string]any{"group": groupId, "user": userId})
	if err != nil {
		return ""
	}
	return member.GetString(collections.GroupMemberRole)
}

// groupNoticesOf counts userId's notifications of type.
func groupNoticesOf(t testing.TB, app core.App, userId, notificationType string) int {
	t.Helper()
	return countRecords(t, app, collections.Notifications,
		"user = '"+userId+"' && type = '"+notificationType+"'")
}

// groupURL is a study group route.
func studyGroupURL(id, action string) string {
	return "/api/study-groups/" + id + "/" + action
}

// invitationURL is a study group invitation route.
func studyGroupInvitationURL(id, action string) string {
	return "/api/study-group-invitations/" + id + "/" + action
}
