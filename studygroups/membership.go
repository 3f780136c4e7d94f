package studygroups

import (
	"database/sql"
	"errors"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"studyhall/collections"
	"studyhall/request"
)

// The membership rules that the routes and the account hook share: who
// gets in, who may leave, and who holds the group when someone goes.

// addGroupMember writes a member row; the member hooks recount the group
// and add the user to its chat room.
func addGroupMember(txApp core.App, groupId, userId, role string) (*GroupMember, error) {
	member, err := NewGroupMember(txApp, groupId, userId, role)
	if err != nil {
		return nil, err
	}
	if err := txApp.Save(member); err != nil {
		return nil, err
	}
	return member, nil
}

// findMembership is userId's membership of the group, or nil when they
// are not a member.
func findMembership(txApp core.App, groupId, userId string) (*GroupMember, error) {
	member, err := FindGroupMember(txApp, groupId, userId)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return member, err
}

// isGroupAdmin reports whether userId is one of the admins of the group
// with groupId.
func isGroupAdmin(txApp core.App, groupId, userId string) (bool, error) {
	member, err := findMembership(txApp, groupId, userId)
	return member != nil && member.IsAdmin(), err
}

// joinGroup makes user a member of the group, under its member limit,
// accepting invitation (or the user's pending one) on the way. The count
// and the insert share txApp's transaction, so concurrent joins never pass
// maxMembers. Joining twice answers the existing membership.
func joinGroup(txApp core.App, group *StudyGroup, user *core.Record, invitation *Invitation) (*GroupMember, error) {
	if invitation == nil {
		var err error
		invitation, err = FindPendingInvitation(txApp, group.Id, user.Id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	member, err := findMembership(txApp, group.Id, user.Id)
	if err != nil {
		return nil, err
	}
	if member != nil {
		return member, acceptInvitation(txApp, invitation)
	}
	if !group.Active() {
		return nil, request.ConflictError(codeGroupInactive, "This group is no longer active.")
	}
	if !group.IsPublic() && invitation == nil {
		return nil, router.NewNotFoundError("", nil)
	}
	count, err := CountGroupMembers(txApp, group.Id)
	if err != nil {
		return nil, err
	}
	if group.IsFull(count) {
		return nil, request.ConflictError(codeGroupFull, "This group is full.")
	}

	if member, err = addGroupMember(txApp, group.Id, user.Id, collections.GroupRoleMember); err != nil {
		return nil, err
	}
	if err := acceptInvitation(txApp, invitation); err != nil {
		return nil, err
	}
	// saved for the realtime update of its memberCount
	if err := txApp.Save(group); err != nil {
		return nil, err
	}
	return member, notifyMemberJoined(txApp, group, user)
}

// acceptInvitation marks a pending invitation accepted; nil is fine.
func acceptInvitation(txApp core.App, invitation *Invitation) error {
	if invitation == nil || !invitation.IsPending() {
		return nil
	}
	invitation.SetStatus(collections.InvitationAccepted)
	return txApp.Save(invitation)
}

// departGroup takes a member out of the group. The last admin may leave
// only when nobody else remains (409 last_admin), unless promote is set
// (an account being deleted), in which case the earliest member becomes
// admin. Ownership passes to the earliest remaining admin; a group left
// empty turns inactive and its pending invitations are revoked.
func departGroup(txApp core.App, group *StudyGroup, member *GroupMember, promote bool) error {
	nextMember, err := findEarliestOther(txApp, member)
	if err != nil {
		return err
	}
	nextAdmin, err := findEarliestOther(txApp, member, dbx.HashExp{collections.GroupMemberRole: collections.GroupRoleAdmin})
	if err != nil {
		return err
	}
	if nextMember != nil && nextAdmin == nil {
		if !promote && member.IsAdmin() {
			return request.ConflictError(codeLastAdmin, "You are this group's last admin: make another member an admin first.")
		}
		// a group with members always has an admin
		nextMember.SetRole(collections.GroupRoleAdmin)
		if err := txApp.Save(nextMember); err != nil {
			return err
		}
		nextAdmin = nextMember
	}

	if err := txApp.Delete(member); err != nil {
		return err
	}
	if nextAdmin != nil && group.Owner() == member.User() {
		group.SetOwner(nextAdmin.User())
	}
	if nextMember == nil {
		group.SetActive(false)
		if err := revokePendingInvitations(txApp, group.Id); err != nil {
			return err
		}
	}
	return txApp.Save(group)
}

// findEarliestOther is the member of member's group, other than member's
// user and matching where, who joined first; nil when there is none.
func findEarliestOther(txApp core.App, member *GroupMember, where ...dbx.Expression) (*GroupMember, error) {
	found := []*GroupMember{}
	err := txApp.RecordQuery(collections.StudyGroupMembers).
		AndWhere(dbx.HashExp{collections.GroupMemberGroup: member.Group()}).
		AndWhere(dbx.Not(dbx.HashExp{collections.GroupMemberUser: member.User()})).
		AndWhere(dbx.And(where...)).
		OrderBy(collections.GroupMemberJoinedAt+" ASC", collections.FieldId+" ASC").
		Limit(1).
		All(&found)
	if err != nil || len(found) == 0 {
		return nil, err
	}
	return found[0], nil
}

// revokePendingInvitations revokes every pending invitation to the group.
func revokePendingInvitations(txApp core.App, groupId string) error {
	pending, err := FindPendingInvitations(txApp, groupId)
	if err != nil {
		return err
	}
	for _, invitation := range pending {
		invitation.SetStatus(collections.InvitationRevoked)
		if err := txApp.Save(invitation); err != nil {
			return err
		}
	}
	return nil
}
