package testkit

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
)

// Study group fixtures, made by seedStudyGroupFixtures in a test's own app.
const (
	// idPublicGroup: public, owner idStudent (admin), idOtherStudent admin.
	IdPublicGroup = "sgpublicgroup01"
	// idPrivateGroup: private, max 3, owner idStudent (admin), idInstructor
	// member; idDroppedStudent has idPendingInvitation to it.
	IdPrivateGroup = "sgprivategroup1"
	// idFullGroup: public, max 2, owner idInstructor, idOtherInstructor member.
	IdFullGroup = "sgfullgroup0001"
	// idArchivedGroup: private, archived (active false), owner idOtherStudent alone.
	IdArchivedGroup = "sgarchived00001"

	IdPendingInvitation = "sginvitation001" // idStudent invites idDroppedStudent to idPrivateGroup
)

// SeedStudyGroupFixtures creates the study group fixtures through app.Save,
// so the hooks make each group's chat room and first admin as they do for
// the API.
func SeedStudyGroupFixtures(t testing.TB, app core.App) {
	t.Helper()
	groups := []struct {
		id, owner, visibility string
		maxMembers            int
	}{
		{IdPublicGroup, IdStudent, collections.StudyGroupPublic, 0},
		{IdPrivateGroup, IdStudent, collections.StudyGroupPrivate, 3},
		{IdFullGroup, IdInstructor, collections.StudyGroupPublic, 2},
		{IdArchivedGroup, IdOtherStudent, collections.StudyGroupPrivate, 0},
	}
	for _, g := range groups {
		if _, err := SaveRecord(app, collections.StudyGroups, g.id, map[string]any{
			collections.StudyGroupName:        "Group " + g.id,
			collections.StudyGroupDescription: "We meet on Tuesdays.",
			collections.StudyGroupOwner:       g.owner,
			collections.StudyGroupVisibility:  g.visibility,
			collections.StudyGroupMaxMembers:  g.maxMembers,
		}); err != nil {
			t.Fatal(err)
		}
	}
	AddTestMember(t, app, IdPublicGroup, IdOtherStudent, collections.GroupRoleAdmin)
	AddTestMember(t, app, IdPrivateGroup, IdInstructor, collections.GroupRoleMember)
	AddTestMember(t, app, IdFullGroup, IdOtherInstructor, collections.GroupRoleMember)

	if _, err := SaveRecord(app, collections.StudyGroupInvitations, IdPendingInvitation, map[string]any{
		collections.InvitationGroup:   IdPrivateGroup,
		collections.InvitationInviter: IdStudent,
		collections.InvitationInvitee: IdDroppedStudent,
		collections.InvitationStatus:  collections.InvitationPending,
	}); err != nil {
		t.Fatal(err)
	}

	archived := FindStudyGroup(t, app, IdArchivedGroup)
	archived.Set(collections.StudyGroupActive, false)
	if err := app.Save(archived); err != nil {
		t.Fatal(err)
	}
}

// AddTestMember writes a member row through app.Save, as the routes do.
func AddTestMember(t testing.TB, app core.App, groupId, userId, role string) *core.Record {
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

func FindStudyGroup(t testing.TB, app core.App, id string) *core.Record {
	t.Helper()
	group, err := app.FindRecordById(collections.StudyGroups, id)
	if err != nil {
		t.Fatal(err)
	}
	return group
}

// GroupMembers counts the member rows of a group.
func GroupMembers(t testing.TB, app core.App, groupId string) int {
	t.Helper()
	return CountRecords(t, app, collections.StudyGroupMembers, "group = '"+groupId+"'")
}

// GroupRoomParticipants is the participants of the group's chat room.
func GroupRoomParticipants(t testing.TB, app core.App, groupId string) []string {
	t.Helper()
	room, err := app.FindRecordById(collections.ChatRooms, FindStudyGroup(t, app, groupId).GetString(collections.StudyGroupChatRoom))
	if err != nil {
		t.Fatal(err)
	}
	return room.GetStringSlice(collections.ChatRoomParticipants)
}

// GroupMemberRole is userId's role in the group, or "" for a non-member.
func GroupMemberRole(t testing.TB, app core.App, groupId, userId string) string {
	t.Helper()
	member, err := app.FindFirstRecordByFilter(collections.StudyGroupMembers,
		"group = {:group} && user = {:user}", map[string]any{"group": groupId, "user": userId})
	if err != nil {
		return ""
	}
	return member.GetString(collections.GroupMemberRole)
}

// GroupNoticesOf counts userId's notifications of type.
func GroupNoticesOf(t testing.TB, app core.App, userId, notificationType string) int {
	t.Helper()
	return CountRecords(t, app, collections.Notifications,
		"user = '"+userId+"' && type = '"+notificationType+"'")
}

// groupURL is a study group route.
func StudyGroupURL(id, action string) string {
	return "/api/study-groups/" + id + "/" + action
}

// invitationURL is a study group invitation route.
func StudyGroupInvitationURL(id, action string) string {
	return "/api/study-group-invitations/" + id + "/" + action
}
