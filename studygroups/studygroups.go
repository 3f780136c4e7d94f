// Package studygroups is study groups: public and private groups with a
// member limit, invitations, admins, the group's chat room, who of it is
// online, and the user search that invitations start from.
package studygroups

import (
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/chat"
	"studyhall/collections"
	"studyhall/notifications"
	"studyhall/presence"
	"studyhall/records"
	"studyhall/request"
)

// Error codes of the study group routes, stable for clients to branch on.
const (
	codeGroupFull            = "group_full"
	codeGroupInactive        = "group_inactive"
	codeAlreadyMember        = "already_member"
	codeAlreadyInvited       = "already_invited"
	codeCannotInviteSelf     = "cannot_invite_self"
	codeLastAdmin            = "last_admin"
	codeNotMember            = "not_member"
	codeNotAdmin             = "not_admin"
	codeCannotRemoveOwner    = "cannot_remove_owner"
	codeCannotDemoteOwner    = "cannot_demote_owner"
	codeInvitationNotPending = "invitation_not_pending"
	codeNotInvitee           = "not_invitee"
	codeNotInviter           = "not_inviter"
	codeUserNotFound         = "user_not_found"
)

// memberJoinedWindow is how long a member_joined notice stands for every
// join of its group: a member hears of new members at most once per window.
const memberJoinedWindow = 10 * time.Minute

// Register binds study groups: the server-kept fields and the chat
// room of every group, member counts and chat participants that follow
// the member rows whoever writes them, ownership passed on when an
// account goes, and the /api/study-groups routes.
func Register(app core.App) {
	bindStudyGroupRecords(app)
	bindStudyGroupMemberRecords(app)
	bindStudyGroupAccounts(app)
	bindStudyGroupRoutes(app)
	bindUserSearch(app)
}

// ---------------------------------------------------------------------
// records

func bindStudyGroupRecords(app core.App) {
	app.OnRecordCreate(collections.StudyGroups).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString(collections.StudyGroupVisibility) == "" {
			e.Record.Set(collections.StudyGroupVisibility, collections.StudyGroupPublic)
		}
		e.Record.Set(collections.StudyGroupActive, true)
		e.Record.Set(collections.StudyGroupMemberCount, 1)
		return e.Next()
	})

	// the group, its chat room and its first admin are written together,
	// from the API, the dashboard or code alike; at execute time, so that
	// a group that fails validation creates no room
	app.OnRecordCreateExecute(collections.StudyGroups).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, func(txApp core.App) error {
			owner := e.Record.GetString(collections.StudyGroupOwner)
			room, err := chat.CreateRoom(txApp, chat.NewRoom{
				Name:         e.Record.GetString(collections.StudyGroupName),
				Type:         collections.ChatRoomTypeStudyGroup,
				CourseId:     e.Record.GetString(collections.StudyGroupCourse),
				CreatedBy:    owner,
				Participants: []string{owner},
			})
			if err != nil {
				return err
			}
			e.Record.Set(collections.StudyGroupChatRoom, room.Id)
			return nil
		}, func(txApp core.App) error {
			_, err := addGroupMember(txApp, e.Record.Id, e.Record.GetString(collections.StudyGroupOwner), collections.GroupRoleAdmin)
			return err
		})
	})

	// memberCount is counted, never taken from a client or a stale copy:
	// the count and the write share one transaction
	app.OnRecordUpdate(collections.StudyGroups).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, func(txApp core.App) error {
			count, err := txApp.CountRecords(collections.StudyGroupMembers,
				dbx.HashExp{collections.GroupMemberGroup: e.Record.Id})
			if err != nil {
				return err
			}
			e.Record.Set(collections.StudyGroupMemberCount, count)
			return nil
		}, nil)
	})

	app.OnRecordValidate(collections.StudyGroups).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.IsNew() && e.Record.GetString(collections.StudyGroupOwner) == "" {
			return validation.Errors{collections.StudyGroupOwner: validation.NewError(
				"validation_required", "A new group needs an owner.")}
		}
		// checked when the limit changes only: a group that a superuser
		// filled past its limit by hand must still let members leave
		maxMembers := e.Record.GetInt(collections.StudyGroupMaxMembers)
		changed := e.Record.IsNew() || maxMembers != e.Record.Original().GetInt(collections.StudyGroupMaxMembers)
		if count := e.Record.GetInt(collections.StudyGroupMemberCount); changed && maxMembers > 0 && maxMembers < count {
			return validation.Errors{collections.StudyGroupMaxMembers: validation.NewError(
				"validation_below_member_count",
				"Must be at least the current number of members ("+strconv.Itoa(count)+").")}
		}
		return e.Next()
	})

	// the group's chat room goes with the group; members and invitations
	// go by cascade
	app.OnRecordDeleteExecute(collections.StudyGroups).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			return chat.DeleteRoom(txApp, e.Record.GetString(collections.StudyGroupChatRoom))
		})
	})
}

// bindStudyGroupMemberRecords keeps each group's memberCount and chat
// participants equal to its member rows, however a row comes or goes
// (a route, the dashboard, an account deletion's cascade).
func bindStudyGroupMemberRecords(app core.App) {
	app.OnRecordCreate(collections.StudyGroupMembers).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetDateTime(collections.GroupMemberJoinedAt).IsZero() {
			e.Record.Set(collections.GroupMemberJoinedAt, types.NowDateTime())
		}
		if e.Record.GetString(collections.GroupMemberRole) == "" {
			e.Record.Set(collections.GroupMemberRole, collections.GroupRoleMember)
		}
		return e.Next()
	})

	app.OnRecordCreateExecute(collections.StudyGroupMembers).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			return syncGroupMembership(txApp, e.Record, chat.AddParticipant)
		})
	})

	app.OnRecordDeleteExecute(collections.StudyGroupMembers).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			return syncGroupMembership(txApp, e.Record, chat.RemoveParticipant)
		})
	})
}

// syncGroupMembership recounts the member's group and applies change to
// its chat room. A group that is itself being deleted is already gone and
// needs neither.
func syncGroupMembership(txApp core.App, member *core.Record, change func(app core.App, roomId, userId string) error) error {
	groupId := member.GetString(collections.GroupMemberGroup)
	var roomId string
	err := txApp.DB().Select(collections.StudyGroupChatRoom).From(collections.StudyGroups).
		Where(dbx.HashExp{collections.FieldId: groupId}).Row(&roomId)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	// a group left with no member is inactive, however it got there
	_, err = txApp.DB().NewQuery(`UPDATE {{study_groups}} SET
			[[memberCount]] = (SELECT COUNT(*) FROM {{study_group_members}} WHERE [[group]] = {:group}),
			[[active]] = ([[active]] AND EXISTS (SELECT 1 FROM {{study_group_members}} WHERE [[group]] = {:group}))
		WHERE [[id]] = {:group}`).Bind(dbx.Params{"group": groupId}).Execute()
	if err != nil {
		return err
	}
	if roomId == "" {
		return nil
	}
	err = change(txApp, roomId, member.GetString(collections.GroupMemberUser))
	if errors.Is(err, sql.ErrNoRows) {
		return nil // the room was deleted by hand
	}
	return err
}

// bindStudyGroupAccounts passes a departing account's groups on before its
// memberships cascade away: its ownership goes to the earliest admin, its
// last-admin seat to the earliest member, and a group it was alone in
// turns inactive.
func bindStudyGroupAccounts(app core.App) {
	app.OnRecordDeleteExecute(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, func(txApp core.App) error {
			memberships, err := txApp.FindAllRecords(collections.StudyGroupMembers,
				dbx.HashExp{collections.GroupMemberUser: e.Record.Id})
			if err != nil {
				return err
			}
			for _, member := range memberships {
				group, err := txApp.FindRecordById(collections.StudyGroups, member.GetString(collections.GroupMemberGroup))
				if err != nil {
					return err
				}
				if err := departGroup(txApp, group, member, true); err != nil {
					return err
				}
			}
			return nil
		}, nil)
	})
}

// ---------------------------------------------------------------------
// membership

// findGroupMember is userId's membership of the group, or nil.
func findGroupMember(app core.App, groupId, userId string) (*core.Record, error) {
	member, err := app.FindFirstRecordByFilter(collections.StudyGroupMembers,
		"group = {:group} && user = {:user}", dbx.Params{"group": groupId, "user": userId})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return member, err
}

// findPendingInvitation is the pending invitation of userId to the group,
// or nil.
func findPendingInvitation(app core.App, groupId, userId string) (*core.Record, error) {
	invitation, err := app.FindFirstRecordByFilter(collections.StudyGroupInvitations,
		"group = {:group} && invitee = {:user} && status = {:status}",
		dbx.Params{"group": groupId, "user": userId, "status": collections.InvitationPending})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return invitation, err
}

// addGroupMember writes a member row; the member hooks recount the group
// and add the user to its chat room.
func addGroupMember(txApp core.App, groupId, userId, role string) (*core.Record, error) {
	members, err := txApp.FindCachedCollectionByNameOrId(collections.StudyGroupMembers)
	if err != nil {
		return nil, err
	}
	member := core.NewRecord(members)
	member.Set(collections.GroupMemberGroup, groupId)
	member.Set(collections.GroupMemberUser, userId)
	member.Set(collections.GroupMemberRole, role)
	member.Set(collections.GroupMemberJoinedAt, types.NowDateTime())
	if err := txApp.Save(member); err != nil {
		return nil, err
	}
	return member, nil
}

// joinGroup makes user a member of the group, under its member limit,
// accepting invitation (or the user's pending one) on the way. The count
// and the insert share txApp's transaction, so concurrent joins never pass
// maxMembers. Joining twice answers the existing membership.
func joinGroup(txApp core.App, group *core.Record, user *core.Record, invitation *core.Record) (*core.Record, error) {
	if invitation == nil {
		var err error
		if invitation, err = findPendingInvitation(txApp, group.Id, user.Id); err != nil {
			return nil, err
		}
	}
	member, err := findGroupMember(txApp, group.Id, user.Id)
	if err != nil {
		return nil, err
	}
	if member != nil {
		return member, acceptInvitation(txApp, invitation)
	}
	if !group.GetBool(collections.StudyGroupActive) {
		return nil, request.ConflictError(codeGroupInactive, "This group is no longer active.")
	}
	if group.GetString(collections.StudyGroupVisibility) != collections.StudyGroupPublic && invitation == nil {
		return nil, router.NewNotFoundError("", nil)
	}
	count, err := txApp.CountRecords(collections.StudyGroupMembers, dbx.HashExp{collections.GroupMemberGroup: group.Id})
	if err != nil {
		return nil, err
	}
	if maxMembers := group.GetInt(collections.StudyGroupMaxMembers); maxMembers > 0 && int(count) >= maxMembers {
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
func acceptInvitation(txApp core.App, invitation *core.Record) error {
	if invitation == nil || invitation.GetString(collections.InvitationStatus) != collections.InvitationPending {
		return nil
	}
	invitation.Set(collections.InvitationStatus, collections.InvitationAccepted)
	return txApp.Save(invitation)
}

// departGroup takes a member out of the group. The last admin may leave
// only when nobody else remains (409 last_admin), unless promote is set
// (an account being deleted), in which case the earliest member becomes
// admin. Ownership passes to the earliest remaining admin; a group left
// empty turns inactive and its pending invitations are revoked.
func departGroup(txApp core.App, group, member *core.Record, promote bool) error {
	userId := member.GetString(collections.GroupMemberUser)
	others := dbx.And(
		dbx.HashExp{collections.GroupMemberGroup: group.Id},
		dbx.Not(dbx.HashExp{collections.GroupMemberUser: userId}),
	)
	earliest := func(exprs ...dbx.Expression) (*core.Record, error) {
		var found []*core.Record
		err := txApp.RecordQuery(collections.StudyGroupMembers).
			AndWhere(others).AndWhere(dbx.And(exprs...)).
			OrderBy(collections.GroupMemberJoinedAt+" ASC", collections.FieldId+" ASC").
			Limit(1).All(&found)
		if err != nil || len(found) == 0 {
			return nil, err
		}
		return found[0], nil
	}

	nextMember, err := earliest()
	if err != nil {
		return err
	}
	nextAdmin, err := earliest(dbx.HashExp{collections.GroupMemberRole: collections.GroupRoleAdmin})
	if err != nil {
		return err
	}
	if nextMember != nil && nextAdmin == nil {
		if !promote && member.GetString(collections.GroupMemberRole) == collections.GroupRoleAdmin {
			return request.ConflictError(codeLastAdmin, "You are this group's last admin: make another member an admin first.")
		}
		// a group with members always has an admin
		nextMember.Set(collections.GroupMemberRole, collections.GroupRoleAdmin)
		if err := txApp.Save(nextMember); err != nil {
			return err
		}
		nextAdmin = nextMember
	}

	if err := txApp.Delete(member); err != nil {
		return err
	}
	if nextAdmin != nil && group.GetString(collections.StudyGroupOwner) == userId {
		group.Set(collections.StudyGroupOwner, nextAdmin.GetString(collections.GroupMemberUser))
	}
	if nextMember == nil {
		group.Set(collections.StudyGroupActive, false)
		if err := revokePendingInvitations(txApp, group.Id); err != nil {
			return err
		}
	}
	return txApp.Save(group)
}

// revokePendingInvitations revokes every pending invitation to the group.
func revokePendingInvitations(txApp core.App, groupId string) error {
	pending, err := txApp.FindAllRecords(collections.StudyGroupInvitations, dbx.HashExp{
		collections.InvitationGroup:  groupId,
		collections.InvitationStatus: collections.InvitationPending,
	})
	if err != nil {
		return err
	}
	for _, invitation := range pending {
		invitation.Set(collections.InvitationStatus, collections.InvitationRevoked)
		if err := txApp.Save(invitation); err != nil {
			return err
		}
	}
	return nil
}

// ---------------------------------------------------------------------
// notices

// notifyMemberJoined tells the group's other members that user joined,
// coalesced: the dedupe key names a 10-minute window, so a member hears
// of new members at most once per window and group.
func notifyMemberJoined(txApp core.App, group, user *core.Record) error {
	var recipients []string
	err := txApp.DB().Select(collections.GroupMemberUser).From(collections.StudyGroupMembers).
		Where(dbx.HashExp{collections.GroupMemberGroup: group.Id}).
		AndWhere(dbx.Not(dbx.HashExp{collections.GroupMemberUser: user.Id})).
		Column(&recipients)
	if err != nil || len(recipients) == 0 {
		return err
	}
	name := group.GetString(collections.StudyGroupName)
	window := time.Now().Unix() / int64(memberJoinedWindow/time.Second)
	_, err = notifications.Send(txApp, notifications.Notification{
		Type:              collections.TypeStudyGroupMemberJoined,
		Recipients:        recipients,
		Title:             "New member in " + name,
		Message:           user.GetString(collections.UserName) + " joined " + name + ".",
		Data:              map[string]any{"groupId": group.Id, "userId": user.Id},
		ActionURL:         "/study-groups/" + group.Id,
		ActionText:        "Open the group",
		DedupeKey:         notifications.Key(collections.TypeStudyGroupMemberJoined, group.Id, strconv.FormatInt(window, 10)),
		RelatedCollection: collections.StudyGroups,
		RelatedId:         group.Id,
	})
	return err
}

func notifyInvited(txApp core.App, group, invitation, inviter *core.Record) error {
	name := group.GetString(collections.StudyGroupName)
	_, err := notifications.Send(txApp, notifications.Notification{
		Type:              collections.TypeStudyGroupInvite,
		Recipients:        []string{invitation.GetString(collections.InvitationInvitee)},
		Title:             "Invitation to " + name,
		Message:           inviter.GetString(collections.UserName) + " invited you to the study group " + name + ".",
		Data:              map[string]any{"groupId": group.Id, "invitationId": invitation.Id, "inviterId": inviter.Id},
		ActionURL:         "/study-groups/" + group.Id,
		ActionText:        "See the invitation",
		DedupeKey:         notifications.Key(collections.TypeStudyGroupInvite, invitation.Id),
		RelatedCollection: collections.StudyGroupInvitations,
		RelatedId:         invitation.Id,
	})
	return err
}

func notifyRoleChanged(txApp core.App, group, member *core.Record) error {
	name := group.GetString(collections.StudyGroupName)
	message := "You are now an admin of " + name + "."
	if member.GetString(collections.GroupMemberRole) != collections.GroupRoleAdmin {
		message = "You are no longer an admin of " + name + "."
	}
	_, err := notifications.Send(txApp, notifications.Notification{
		Type:              collections.TypeStudyGroupRoleChanged,
		Recipients:        []string{member.GetString(collections.GroupMemberUser)},
		Title:             "Your role in " + name,
		Message:           message,
		Data:              map[string]any{"groupId": group.Id, "role": member.GetString(collections.GroupMemberRole)},
		ActionURL:         "/study-groups/" + group.Id,
		ActionText:        "Open the group",
		RelatedCollection: collections.StudyGroups,
		RelatedId:         group.Id,
	})
	return err
}

// ---------------------------------------------------------------------
// routes

func bindStudyGroupRoutes(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		groups := se.Router.Group("/api/study-groups")
		groups.Bind(apis.RequireAuth(collections.Users), request.RequireJSONBody())
		groups.POST("/{id}/join", studyGroupJoin)
		groups.POST("/{id}/leave", studyGroupLeave)
		groups.POST("/{id}/invite", studyGroupInvite)
		groups.POST("/{id}/members/{userId}/role", studyGroupMemberRole)
		groups.POST("/{id}/members/{userId}/remove", studyGroupMemberRemove)
		groups.GET("/{id}/online", studyGroupOnline)

		invitations := se.Router.Group("/api/study-group-invitations")
		invitations.Bind(apis.RequireAuth(collections.Users), request.RequireJSONBody())
		invitations.POST("/{id}/accept", studyGroupInvitationAccept)
		invitations.POST("/{id}/decline", studyGroupInvitationDecline)
		invitations.POST("/{id}/revoke", studyGroupInvitationRevoke)
		return se.Next()
	})
}

// findVisibleGroup is the group the caller may view, or a 404 for any
// other id, as the view rule has it.
func findVisibleGroup(e *core.RequestEvent, app core.App, id string) (*core.Record, error) {
	return request.FindVisible(e, app, collections.StudyGroups, id)
}

// findCallerAdmin is the caller's membership of the group when they are an
// admin; a 403 otherwise.
func findCallerAdmin(app core.App, group *core.Record, userId string) (*core.Record, error) {
	member, err := findGroupMember(app, group.Id, userId)
	if err != nil {
		return nil, err
	}
	if member == nil || member.GetString(collections.GroupMemberRole) != collections.GroupRoleAdmin {
		return nil, request.CodedError(http.StatusForbidden, codeNotAdmin, "Only the group's admins can do this.")
	}
	return member, nil
}

// studyGroupJoin joins a public group, or a private one with a pending
// invitation (which becomes accepted), and answers the membership.
func studyGroupJoin(e *core.RequestEvent) error {
	var member *core.Record
	err := request.Tx(e, func(txApp core.App) error {
		group, err := findVisibleGroup(e, txApp, e.Request.PathValue("id"))
		if err != nil {
			return err
		}
		member, err = joinGroup(txApp, group, e.Auth, nil)
		return err
	})
	if err != nil {
		return err
	}
	return request.RespondRecord(e, member)
}

// studyGroupLeave takes the caller out of the group.
func studyGroupLeave(e *core.RequestEvent) error {
	err := request.Tx(e, func(txApp core.App) error {
		group, err := findVisibleGroup(e, txApp, e.Request.PathValue("id"))
		if err != nil {
			return err
		}
		member, err := findGroupMember(txApp, group.Id, e.Auth.Id)
		if err != nil {
			return err
		}
		if member == nil {
			return request.ConflictError(codeNotMember, "You are not a member of this group.")
		}
		return departGroup(txApp, group, member, false)
	})
	if err != nil {
		return err
	}
	return e.NoContent(http.StatusNoContent)
}

// studyGroupInviteForm is the body of POST /api/study-groups/{id}/invite.
type studyGroupInviteForm struct {
	UserId string `json:"userId"`
}

// Validate requires the id of the user to invite.
func (form *studyGroupInviteForm) Validate() error {
	return validation.ValidateStruct(form,
		validation.Field(&form.UserId, validation.Required, validation.Length(1, 100)),
	)
}

// Submit invites form.UserId to the group on behalf of inviter, who must
// be a member, and notifies the invitee.
func (form *studyGroupInviteForm) Submit(txApp core.App, group, inviter *core.Record) (*core.Record, error) {
	if form.UserId == inviter.Id {
		return nil, request.ConflictError(codeCannotInviteSelf, "You cannot invite yourself.")
	}
	member, err := findGroupMember(txApp, group.Id, inviter.Id)
	if err != nil {
		return nil, err
	}
	if member == nil {
		return nil, request.CodedError(http.StatusForbidden, codeNotMember, "Only members can invite to this group.")
	}
	if !group.GetBool(collections.StudyGroupActive) {
		return nil, request.ConflictError(codeGroupInactive, "This group is no longer active.")
	}
	if _, err := txApp.FindRecordById(collections.Users, form.UserId); err != nil {
		return nil, request.CodedError(http.StatusNotFound, codeUserNotFound, "There is no such user.")
	}
	if existing, err := findGroupMember(txApp, group.Id, form.UserId); err != nil {
		return nil, err
	} else if existing != nil {
		return nil, request.ConflictError(codeAlreadyMember, "This user is already a member of the group.")
	}
	if pending, err := findPendingInvitation(txApp, group.Id, form.UserId); err != nil {
		return nil, err
	} else if pending != nil {
		return nil, request.ConflictError(codeAlreadyInvited, "This user already has a pending invitation to the group.")
	}

	invitations, err := txApp.FindCachedCollectionByNameOrId(collections.StudyGroupInvitations)
	if err != nil {
		return nil, err
	}
	invitation := core.NewRecord(invitations)
	invitation.Set(collections.InvitationGroup, group.Id)
	invitation.Set(collections.InvitationInviter, inviter.Id)
	invitation.Set(collections.InvitationInvitee, form.UserId)
	invitation.Set(collections.InvitationStatus, collections.InvitationPending)
	if err := txApp.Save(invitation); err != nil {
		return nil, err
	}
	return invitation, notifyInvited(txApp, group, invitation, inviter)
}

func studyGroupInvite(e *core.RequestEvent) error {
	form := &studyGroupInviteForm{}
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	var invitation *core.Record
	err := request.Tx(e, func(txApp core.App) error {
		group, err := findVisibleGroup(e, txApp, e.Request.PathValue("id"))
		if err != nil {
			return err
		}
		invitation, err = form.Submit(txApp, group, e.Auth)
		return err
	})
	if err != nil {
		return err
	}
	return request.RespondRecord(e, invitation)
}

// studyGroupRoleForm is the body of POST
// /api/study-groups/{id}/members/{userId}/role.
type studyGroupRoleForm struct {
	Role string `json:"role"`
}

// Validate requires admin or member.
func (form *studyGroupRoleForm) Validate() error {
	return validation.ValidateStruct(form,
		validation.Field(&form.Role, validation.Required,
			validation.In(collections.GroupRoleAdmin, collections.GroupRoleMember).Error("Must be admin or member.")),
	)
}

// Submit gives the member the form's role. The owner stays an admin and a
// group with members keeps at least one admin.
func (form *studyGroupRoleForm) Submit(txApp core.App, group, member *core.Record) (changed bool, err error) {
	if member.GetString(collections.GroupMemberRole) == form.Role {
		return false, nil
	}
	if form.Role != collections.GroupRoleAdmin {
		if member.GetString(collections.GroupMemberUser) == group.GetString(collections.StudyGroupOwner) {
			return false, request.ConflictError(codeCannotDemoteOwner, "The group's owner is always an admin.")
		}
		admins, err := txApp.CountRecords(collections.StudyGroupMembers, dbx.HashExp{
			collections.GroupMemberGroup: group.Id,
			collections.GroupMemberRole:  collections.GroupRoleAdmin,
		})
		if err != nil {
			return false, err
		}
		if admins <= 1 {
			return false, request.ConflictError(codeLastAdmin, "This is the group's last admin: make another member an admin first.")
		}
	}
	member.Set(collections.GroupMemberRole, form.Role)
	return true, txApp.Save(member)
}

func studyGroupMemberRole(e *core.RequestEvent) error {
	form := &studyGroupRoleForm{}
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	var member *core.Record
	err := request.Tx(e, func(txApp core.App) error {
		group, err := findVisibleGroup(e, txApp, e.Request.PathValue("id"))
		if err != nil {
			return err
		}
		if _, err := findCallerAdmin(txApp, group, e.Auth.Id); err != nil {
			return err
		}
		if member, err = findTargetMember(txApp, group, e.Request.PathValue("userId")); err != nil {
			return err
		}
		changed, err := form.Submit(txApp, group, member)
		if err != nil || !changed {
			return err
		}
		return notifyRoleChanged(txApp, group, member)
	})
	if err != nil {
		return err
	}
	return request.RespondRecord(e, member)
}

// findTargetMember is userId's membership of the group, or a 404 with
// not_member.
func findTargetMember(txApp core.App, group *core.Record, userId string) (*core.Record, error) {
	member, err := findGroupMember(txApp, group.Id, userId)
	if err != nil {
		return nil, err
	}
	if member == nil {
		return nil, request.CodedError(http.StatusNotFound, codeNotMember, "This user is not a member of the group.")
	}
	return member, nil
}

// studyGroupMemberRemove takes another member out of the group (admins
// only; never the owner). Removing oneself is leaving.
func studyGroupMemberRemove(e *core.RequestEvent) error {
	err := request.Tx(e, func(txApp core.App) error {
		group, err := findVisibleGroup(e, txApp, e.Request.PathValue("id"))
		if err != nil {
			return err
		}
		if _, err := findCallerAdmin(txApp, group, e.Auth.Id); err != nil {
			return err
		}
		userId := e.Request.PathValue("userId")
		member, err := findTargetMember(txApp, group, userId)
		if err != nil {
			return err
		}
		if userId != e.Auth.Id && userId == group.GetString(collections.StudyGroupOwner) {
			return request.CodedError(http.StatusForbidden, codeCannotRemoveOwner, "The group's owner cannot be removed.")
		}
		return departGroup(txApp, group, member, false)
	})
	if err != nil {
		return err
	}
	return e.NoContent(http.StatusNoContent)
}

// studyGroupOnline answers {"online": N, "members": M} for a group the
// caller may view.
func studyGroupOnline(e *core.RequestEvent) error {
	group, err := findVisibleGroup(e, e.App, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	var memberIds []string
	err = e.App.DB().Select(collections.GroupMemberUser).From(collections.StudyGroupMembers).
		Where(dbx.HashExp{collections.GroupMemberGroup: group.Id}).Column(&memberIds)
	if err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, map[string]int{
		"online":  countOnline(e.App, memberIds),
		"members": len(memberIds),
	})
}

// countOnline counts the users among userIds whom presence shows as not
// offline: many tabs count once, and an invisible member is not counted.
func countOnline(app core.App, userIds []string) int {
	online := 0
	for _, status := range presence.StatusesOf(app, userIds) {
		if status != presence.Offline {
			online++
		}
	}
	return online
}

// ---------------------------------------------------------------------
// invitation routes

// findInvitation is the invitation id the caller may view, or a 404.
func findInvitation(e *core.RequestEvent, txApp core.App, id string) (*core.Record, error) {
	return request.FindVisible(e, txApp, collections.StudyGroupInvitations, id)
}

// findOwnPendingInvitation is the caller's own pending invitation id, with
// 403 not_invitee for an inviter or admin, 409 invitation_not_pending once
// answered.
func findOwnPendingInvitation(e *core.RequestEvent, txApp core.App, id string) (*core.Record, error) {
	invitation, err := findInvitation(e, txApp, id)
	if err != nil {
		return nil, err
	}
	if invitation.GetString(collections.InvitationInvitee) != e.Auth.Id {
		return nil, request.CodedError(http.StatusForbidden, codeNotInvitee, "Only the invited user can answer this invitation.")
	}
	if invitation.GetString(collections.InvitationStatus) != collections.InvitationPending {
		return nil, request.ConflictError(codeInvitationNotPending, "This invitation is no longer pending.")
	}
	return invitation, nil
}

// studyGroupInvitationAccept joins the invitation's group and answers the
// membership.
func studyGroupInvitationAccept(e *core.RequestEvent) error {
	var member *core.Record
	err := request.Tx(e, func(txApp core.App) error {
		invitation, err := findOwnPendingInvitation(e, txApp, e.Request.PathValue("id"))
		if err != nil {
			return err
		}
		group, err := txApp.FindRecordById(collections.StudyGroups, invitation.GetString(collections.InvitationGroup))
		if err != nil {
			return router.NewNotFoundError("", err)
		}
		member, err = joinGroup(txApp, group, e.Auth, invitation)
		return err
	})
	if err != nil {
		return err
	}
	return request.RespondRecord(e, member)
}

// studyGroupInvitationDecline declines the caller's pending invitation.
func studyGroupInvitationDecline(e *core.RequestEvent) error {
	var invitation *core.Record
	err := request.Tx(e, func(txApp core.App) error {
		var err error
		if invitation, err = findOwnPendingInvitation(e, txApp, e.Request.PathValue("id")); err != nil {
			return err
		}
		invitation.Set(collections.InvitationStatus, collections.InvitationDeclined)
		return txApp.Save(invitation)
	})
	if err != nil {
		return err
	}
	return request.RespondRecord(e, invitation)
}

// studyGroupInvitationRevoke revokes a pending invitation; its inviter or
// an admin of its group may.
func studyGroupInvitationRevoke(e *core.RequestEvent) error {
	var invitation *core.Record
	err := request.Tx(e, func(txApp core.App) error {
		var err error
		if invitation, err = findInvitation(e, txApp, e.Request.PathValue("id")); err != nil {
			return err
		}
		if invitation.GetString(collections.InvitationInviter) != e.Auth.Id {
			member, err := findGroupMember(txApp, invitation.GetString(collections.InvitationGroup), e.Auth.Id)
			if err != nil {
				return err
			}
			if member == nil || member.GetString(collections.GroupMemberRole) != collections.GroupRoleAdmin {
				return request.CodedError(http.StatusForbidden, codeNotInviter, "Only the inviter or a group admin can revoke this invitation.")
			}
		}
		if invitation.GetString(collections.InvitationStatus) != collections.InvitationPending {
			return request.ConflictError(codeInvitationNotPending, "This invitation is no longer pending.")
		}
		invitation.Set(collections.InvitationStatus, collections.InvitationRevoked)
		return txApp.Save(invitation)
	})
	if err != nil {
		return err
	}
	return request.RespondRecord(e, invitation)
}
