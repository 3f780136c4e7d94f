package collections

// Collection names of study groups.
const (
	StudyGroups = "study_groups"
	// StudyGroupMembers holds one row per (group, user).
	StudyGroupMembers = "study_group_members"
	// StudyGroupInvitations keeps every invitation with its outcome; at
	// most one is pending per (group, invitee).
	StudyGroupInvitations = "study_group_invitations"
)

// Fields of study_groups.
const (
	StudyGroupName        = "name"
	StudyGroupDescription = "description"
	StudyGroupCourse      = "course"
	StudyGroupOwner       = "owner"
	StudyGroupVisibility  = "visibility"
	// StudyGroupMaxMembers is optional: 0 means no limit.
	StudyGroupMaxMembers = "maxMembers"
	// StudyGroupMemberCount is kept by the server, equal to the number of
	// member rows.
	StudyGroupMemberCount = "memberCount"
	// StudyGroupActive turns false when the last member leaves; an
	// inactive group takes no joins and no invitations.
	StudyGroupActive   = "active"
	StudyGroupChatRoom = "chatRoom"
)

// Visibilities of a study group.
const (
	// StudyGroupPublic groups are listed to every signed-in user and open
	// to join.
	StudyGroupPublic = "public"
	// StudyGroupPrivate groups are seen by members and pending invitees
	// only, and joined by invitation.
	StudyGroupPrivate = "private"
)

// StudyGroupVisibilities lists every visibility, the first being the default.
var StudyGroupVisibilities = []string{StudyGroupPublic, StudyGroupPrivate}

// Fields of study_group_members.
const (
	GroupMemberGroup    = "group"
	GroupMemberUser     = "user"
	GroupMemberRole     = "role"
	GroupMemberJoinedAt = "joinedAt"
)

// Roles inside a study group.
const (
	GroupRoleAdmin  = "admin"
	GroupRoleMember = "member"
)

// GroupRoles lists every role inside a group.
var GroupRoles = []string{GroupRoleAdmin, GroupRoleMember}

// Fields of study_group_invitations.
const (
	InvitationGroup   = "group"
	InvitationInviter = "inviter"
	InvitationInvitee = "invitee"
	InvitationStatus  = "status"
)

// Invitation statuses.
const (
	InvitationPending  = "pending"
	InvitationAccepted = "accepted"
	InvitationDeclined = "declined"
	InvitationRevoked  = "revoked"
)

// InvitationStatuses lists every invitation status, the first being the
// default.
var InvitationStatuses = []string{InvitationPending, InvitationAccepted, InvitationDeclined, InvitationRevoked}

// Limits of study groups.
const (
	// MinGroupMaxMembers is the smallest member limit a group may set.
	MinGroupMaxMembers = 2
)
