package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
)

// Study groups, their members and their invitations.
//
// Who sees what:
//   - an active public group is listed to every signed-in user; a private
//     group only to its members and to users with a pending invitation to
//     it (a declined or revoked invitation no longer counts);
//   - the members of a public group are listed to every signed-in user (a
//     public group is open to join, and who is in it is what one joins
//     for); those of a private group to its members only, not even to
//     invitees;
//   - an invitation is seen by its invitee, its inviter and the group's
//     admins;
//   - any signed-in user creates a group and becomes its owner and first
//     admin (hooks/study_groups.go writes the admin row and the group's
//     chat room in the same transaction); the owner and admins update name,
//     description, visibility, maxMembers and active; the owner deletes it,
//     which deletes its members and invitations (cascade) and its chat room;
//   - owner, memberCount and chatRoom are the server's; members and
//     invitations are written only by the routes of hooks/study_groups.go.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(collections.Users)
		if err != nil {
			return err
		}
		courses, err := app.FindCollectionByNameOrId(collections.Courses)
		if err != nil {
			return err
		}
		rooms, err := app.FindCollectionByNameOrId(collections.ChatRooms)
		if err != nil {
			return err
		}

		// --- study_groups
		groups := core.NewBaseCollection(collections.StudyGroups)
		groups.Fields.Add(
			&core.TextField{Name: collections.StudyGroupName, Required: true, Max: collections.MaxNameLength, Presentable: true},
			&core.TextField{Name: collections.StudyGroupDescription, Max: collections.MaxDescriptionLength},
			// a deleted course leaves its groups standing, unattached
			relation(collections.StudyGroupCourse, courses.Id, false, false),
			// not required: the owner's account may go while the group
			// stays; hooks pass ownership on to another admin first
			relation(collections.StudyGroupOwner, users.Id, false, false),
			&core.SelectField{Name: collections.StudyGroupVisibility, Required: true, Values: collections.StudyGroupVisibilities, MaxSelect: 1},
			&core.NumberField{Name: collections.StudyGroupMaxMembers, OnlyInt: true, Min: types.Pointer(float64(collections.MinGroupMaxMembers))},
			&core.NumberField{Name: collections.StudyGroupMemberCount, OnlyInt: true, Min: types.Pointer(0.0)},
			&core.BoolField{Name: collections.StudyGroupActive},
			relation(collections.StudyGroupChatRoom, rooms.Id, false, false),
		)
		addTimestamps(groups)
		groups.AddIndex("idx_study_groups_visibility", false, "visibility, active", "")
		groups.AddIndex("idx_study_groups_course", false, "course", "course != ''")
		groups.AddIndex("idx_study_groups_owner", false, "owner", "")
		if err := app.Save(groups); err != nil {
			return err
		}

		// --- study_group_members
		members := core.NewBaseCollection(collections.StudyGroupMembers)
		members.Fields.Add(
			relation(collections.GroupMemberGroup, groups.Id, true, true),
			relation(collections.GroupMemberUser, users.Id, true, true),
			&core.SelectField{Name: collections.GroupMemberRole, Required: true, Values: collections.GroupRoles, MaxSelect: 1},
			&core.DateField{Name: collections.GroupMemberJoinedAt},
		)
		addTimestamps(members)
		members.AddIndex("idx_study_group_members_group_user", true, "`group`, user", "")
		members.AddIndex("idx_study_group_members_user", false, "user", "")
		if err := app.Save(members); err != nil {
			return err
		}

		// --- study_group_invitations
		invitations := core.NewBaseCollection(collections.StudyGroupInvitations)
		invitations.Fields.Add(
			relation(collections.InvitationGroup, groups.Id, true, true),
			// an invitation outlives its inviter's account
			relation(collections.InvitationInviter, users.Id, false, false),
			relation(collections.InvitationInvitee, users.Id, true, true),
			&core.SelectField{Name: collections.InvitationStatus, Required: true, Values: collections.InvitationStatuses, MaxSelect: 1},
		)
		addTimestamps(invitations)
		invitations.AddIndex("idx_study_group_invitations_pending", true, "`group`, invitee", "status = 'pending'")
		invitations.AddIndex("idx_study_group_invitations_invitee", false, "invitee, status", "")
		invitations.AddIndex("idx_study_group_invitations_group", false, "`group`, status", "")
		if err := app.Save(invitations); err != nil {
			return err
		}

		// the rules name the back relations, so they are set once all
		// three collections exist
		memberOf := "study_group_members_via_group.user ?= @request.auth.id"
		adminOf := "(study_group_members_via_group.user ?= @request.auth.id && study_group_members_via_group.role ?= 'admin')"
		invitedTo := "(study_group_invitations_via_group.invitee ?= @request.auth.id && study_group_invitations_via_group.status ?= 'pending')"
		serverFields := "@request.body.owner:isset = false && @request.body.memberCount:isset = false && @request.body.chatRoom:isset = false"

		groupsRead := "@request.auth.id != '' && ((visibility = 'public' && active = true) || " + memberOf + " || " + invitedTo + ")"
		groups.ListRule = rule(groupsRead)
		groups.ViewRule = rule(groupsRead)
		groups.CreateRule = rule("@request.auth.collectionName = 'users' && " + serverFields +
			" && @request.body.active:isset = false" +
			" && (course = '' || course.published = true || course.instructor = @request.auth.id)")
		groups.UpdateRule = rule("@request.auth.id != '' && (owner = @request.auth.id || " + adminOf + ") && " + serverFields +
			" && @request.body.course:isset = false")
		groups.DeleteRule = rule("@request.auth.id != '' && owner = @request.auth.id")
		if err := app.Save(groups); err != nil {
			return err
		}

		membersRead := "@request.auth.id != '' && (group.visibility = 'public' || group.study_group_members_via_group.user ?= @request.auth.id)"
		members.ListRule = rule(membersRead)
		members.ViewRule = rule(membersRead)
		members.CreateRule = superusersOnly
		members.UpdateRule = superusersOnly
		members.DeleteRule = superusersOnly
		if err := app.Save(members); err != nil {
			return err
		}

		// an empty inviter (a deleted account) must not match a guest's empty id
		invitationsRead := "@request.auth.id != '' && (invitee = @request.auth.id || inviter = @request.auth.id || " +
			"(group.study_group_members_via_group.user ?= @request.auth.id && group.study_group_members_via_group.role ?= 'admin'))"
		invitations.ListRule = rule(invitationsRead)
		invitations.ViewRule = rule(invitationsRead)
		invitations.CreateRule = superusersOnly
		invitations.UpdateRule = superusersOnly
		invitations.DeleteRule = superusersOnly
		return app.Save(invitations)
	}, func(app core.App) error {
		return deleteCollections(app,
			collections.StudyGroupInvitations,
			collections.StudyGroupMembers,
			collections.StudyGroups,
		)
	})
}
