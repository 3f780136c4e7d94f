package studygroups

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/records"
)

var (
	_ core.RecordProxy = (*StudyGroup)(nil)
	_ core.RecordProxy = (*GroupMember)(nil)
	_ core.RecordProxy = (*Invitation)(nil)
)

// ---------------------------------------------------------------------
// StudyGroup

// StudyGroup is a record proxy of study_groups.
type StudyGroup struct {
	core.BaseRecordProxy
}

// asStudyGroup is record, a study_groups record, as a StudyGroup.
func asStudyGroup(record *core.Record) *StudyGroup {
	return records.Proxy[StudyGroup](record)
}

// FindStudyGroup is the study group with id; its error is sql.ErrNoRows
// when there is none.
func FindStudyGroup(app core.App, id string) (*StudyGroup, error) {
	return records.FindProxy[StudyGroup](app, collections.StudyGroups, dbx.HashExp{collections.FieldId: id})
}

// Name is the group's name.
func (g *StudyGroup) Name() string { return g.GetString(collections.StudyGroupName) }

// Course is the id of the group's course, if any.
func (g *StudyGroup) Course() string { return g.GetString(collections.StudyGroupCourse) }

// Owner is the id of the group's owner, always one of its admins.
func (g *StudyGroup) Owner() string { return g.GetString(collections.StudyGroupOwner) }

// SetOwner passes the group to the user with id userId.
func (g *StudyGroup) SetOwner(userId string) { g.Set(collections.StudyGroupOwner, userId) }

// Visibility is public or private (collections.StudyGroupVisibilities).
func (g *StudyGroup) Visibility() string { return g.GetString(collections.StudyGroupVisibility) }

// SetVisibility sets the group's visibility.
func (g *StudyGroup) SetVisibility(visibility string) {
	g.Set(collections.StudyGroupVisibility, visibility)
}

// IsPublic reports whether anyone signed in sees and joins the group.
func (g *StudyGroup) IsPublic() bool { return g.Visibility() == collections.StudyGroupPublic }

// MaxMembers is the group's member limit; 0 means none.
func (g *StudyGroup) MaxMembers() int { return g.GetInt(collections.StudyGroupMaxMembers) }

// MemberCount is the server's count of the group's member rows.
func (g *StudyGroup) MemberCount() int { return g.GetInt(collections.StudyGroupMemberCount) }

// SetMemberCount sets the count of the group's member rows.
func (g *StudyGroup) SetMemberCount(count int) { g.Set(collections.StudyGroupMemberCount, count) }

// IsFull reports whether a group of members members takes nobody more.
func (g *StudyGroup) IsFull(members int) bool {
	return g.MaxMembers() > 0 && members >= g.MaxMembers()
}

// Active is false once the last member has left: an inactive group takes
// no joins and no invitations.
func (g *StudyGroup) Active() bool { return g.GetBool(collections.StudyGroupActive) }

// SetActive sets whether the group is active.
func (g *StudyGroup) SetActive(active bool) { g.Set(collections.StudyGroupActive, active) }

// ChatRoom is the id of the group's chat room.
func (g *StudyGroup) ChatRoom() string { return g.GetString(collections.StudyGroupChatRoom) }

// SetChatRoom sets the id of the group's chat room.
func (g *StudyGroup) SetChatRoom(roomId string) { g.Set(collections.StudyGroupChatRoom, roomId) }

// ---------------------------------------------------------------------
// GroupMember

// GroupMember is a record proxy of study_group_members: one user's
// membership of one group.
type GroupMember struct {
	core.BaseRecordProxy
}

// asGroupMember is record, a study_group_members record, as a GroupMember.
func asGroupMember(record *core.Record) *GroupMember {
	return records.Proxy[GroupMember](record)
}

// NewGroupMember is a new, unsaved membership of userId in the group
// with groupId, with role and joined now.
func NewGroupMember(app core.App, groupId, userId, role string) (*GroupMember, error) {
	member, err := records.NewProxy[GroupMember](app, collections.StudyGroupMembers)
	if err != nil {
		return nil, err
	}
	member.Set(collections.GroupMemberGroup, groupId)
	member.Set(collections.GroupMemberUser, userId)
	member.SetRole(role)
	member.SetJoinedAt(types.NowDateTime())
	return member, nil
}

// FindGroupMember is userId's membership of the group with groupId; its
// error is sql.ErrNoRows when the user is not a member.
func FindGroupMember(app core.App, groupId, userId string) (*GroupMember, error) {
	return records.FindProxy[GroupMember](app, collections.StudyGroupMembers, dbx.HashExp{
		collections.GroupMemberGroup: groupId,
		collections.GroupMemberUser:  userId,
	})
}

// CountGroupMembers is the number of member rows of the group with groupId.
func CountGroupMembers(app core.App, groupId string) (int, error) {
	count, err := app.CountRecords(collections.StudyGroupMembers, dbx.HashExp{collections.GroupMemberGroup: groupId})
	return int(count), err
}

// GroupMemberIds is the user ids of the members of the group with groupId.
func GroupMemberIds(app core.App, groupId string) ([]string, error) {
	var userIds []string
	err := app.DB().Select(collections.GroupMemberUser).From(collections.StudyGroupMembers).
		Where(dbx.HashExp{collections.GroupMemberGroup: groupId}).
		Column(&userIds)
	return userIds, err
}

// Group is the id of the member's group.
func (m *GroupMember) Group() string { return m.GetString(collections.GroupMemberGroup) }

// User is the id of the member's user.
func (m *GroupMember) User() string { return m.GetString(collections.GroupMemberUser) }

// Role is admin or member (collections.GroupRoles).
func (m *GroupMember) Role() string { return m.GetString(collections.GroupMemberRole) }

// SetRole sets the member's role.
func (m *GroupMember) SetRole(role string) { m.Set(collections.GroupMemberRole, role) }

// IsAdmin reports whether the member is one of the group's admins.
func (m *GroupMember) IsAdmin() bool { return m.Role() == collections.GroupRoleAdmin }

// JoinedAt is when the member joined; the earliest member is next in line
// for a seat that a leaver frees.
func (m *GroupMember) JoinedAt() types.DateTime {
	return m.GetDateTime(collections.GroupMemberJoinedAt)
}

// SetJoinedAt sets when the member joined.
func (m *GroupMember) SetJoinedAt(at types.DateTime) { m.Set(collections.GroupMemberJoinedAt, at) }

// ---------------------------------------------------------------------
// Invitation

// Invitation is a record proxy of study_group_invitations.
type Invitation struct {
	core.BaseRecordProxy
}

// asInvitation is record, a study_group_invitations record, as an
// Invitation.
func asInvitation(record *core.Record) *Invitation {
	return records.Proxy[Invitation](record)
}

// NewInvitation is a new, unsaved, pending invitation of inviteeId to the
// group with groupId, from inviterId.
func NewInvitation(app core.App, groupId, inviterId, inviteeId string) (*Invitation, error) {
	invitation, err := records.NewProxy[Invitation](app, collections.StudyGroupInvitations)
	if err != nil {
		return nil, err
	}
	invitation.Set(collections.InvitationGroup, groupId)
	invitation.Set(collections.InvitationInviter, inviterId)
	invitation.Set(collections.InvitationInvitee, inviteeId)
	invitation.SetStatus(collections.InvitationPending)
	return invitation, nil
}

// FindPendingInvitation is the pending invitation of inviteeId to the
// group with groupId; its error is sql.ErrNoRows when there is none.
func FindPendingInvitation(app core.App, groupId, inviteeId string) (*Invitation, error) {
	return records.FindProxy[Invitation](app, collections.StudyGroupInvitations, dbx.HashExp{
		collections.InvitationGroup:   groupId,
		collections.InvitationInvitee: inviteeId,
		collections.InvitationStatus:  collections.InvitationPending,
	})
}

// FindPendingInvitations is every pending invitation to the group with
// groupId.
func FindPendingInvitations(app core.App, groupId string) ([]*Invitation, error) {
	pending := []*Invitation{}
	err := app.RecordQuery(collections.StudyGroupInvitations).
		AndWhere(dbx.HashExp{
			collections.InvitationGroup:  groupId,
			collections.InvitationStatus: collections.InvitationPending,
		}).
		All(&pending)
	return pending, err
}

// Group is the id of the invitation's group.
func (i *Invitation) Group() string { return i.GetString(collections.InvitationGroup) }

// Inviter is the id of the member who invited.
func (i *Invitation) Inviter() string { return i.GetString(collections.InvitationInviter) }

// Invitee is the id of the invited user.
func (i *Invitation) Invitee() string { return i.GetString(collections.InvitationInvitee) }

// Status is pending, accepted, declined or revoked
// (collections.InvitationStatuses).
func (i *Invitation) Status() string { return i.GetString(collections.InvitationStatus) }

// SetStatus sets the invitation's status.
func (i *Invitation) SetStatus(status string) { i.Set(collections.InvitationStatus, status) }

// IsPending reports whether the invitation still waits for an answer.
func (i *Invitation) IsPending() bool { return i.Status() == collections.InvitationPending }
