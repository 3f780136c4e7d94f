// Package studygroups is study groups: public and private groups with a
// member limit, invitations, admins, the group's chat room, who of it is
// online, and the user search that invitations start from.
//
// register.go binds it all; this file keeps the records consistent
// whoever writes them; membership.go holds the join and leave rules that
// routes and hooks share; the api_*.go files are the routes; notices.go
// the notifications; model.go the typed records and their finders.
package studygroups

import (
	"database/sql"
	"errors"
	"strconv"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/chat"
	"studyhall/collections"
	"studyhall/records"
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
	codeQueryTooShort        = "query_too_short"
	codeInvalidLimit         = "invalid_limit"
)

// ---------------------------------------------------------------------
// groups

func bindStudyGroupRecords(app core.App) {
	app.OnRecordCreate(collections.StudyGroups).BindFunc(func(e *core.RecordEvent) error {
		group := asStudyGroup(e.Record)
		if group.Visibility() == "" {
			group.SetVisibility(collections.StudyGroupPublic)
		}
		group.SetActive(true)
		group.SetMemberCount(1)
		return e.Next()
	})

	// the group, its chat room and its first admin are written together,
	// from the API, the dashboard or code alike; at execute time, so that
	// a group that fails validation creates no room
	app.OnRecordCreateExecute(collections.StudyGroups).BindFunc(func(e *core.RecordEvent) error {
		group := asStudyGroup(e.Record)
		return records.InTransaction(&e.App, e.Next, func(txApp core.App) error {
			room, err := chat.CreateRoom(txApp, chat.NewRoom{
				Name:         group.Name(),
				Type:         collections.ChatRoomTypeStudyGroup,
				CourseId:     group.Course(),
				CreatedBy:    group.Owner(),
				Participants: []string{group.Owner()},
			})
			if err != nil {
				return err
			}
			group.SetChatRoom(room.Id)
			return nil
		}, func(txApp core.App) error {
			_, err := addGroupMember(txApp, group.Id, group.Owner(), collections.GroupRoleAdmin)
			return err
		})
	})

	// memberCount is counted, never taken from a client or a stale copy:
	// the count and the write share one transaction
	app.OnRecordUpdate(collections.StudyGroups).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, func(txApp core.App) error {
			count, err := CountGroupMembers(txApp, e.Record.Id)
			if err != nil {
				return err
			}
			asStudyGroup(e.Record).SetMemberCount(count)
			return nil
		}, nil)
	})

	app.OnRecordValidate(collections.StudyGroups).BindFunc(func(e *core.RecordEvent) error {
		if err := validateStudyGroup(asStudyGroup(e.Record)); err != nil {
			return err
		}
		return e.Next()
	})

	// the group's chat room goes with the group; members and invitations
	// go by cascade
	app.OnRecordDeleteExecute(collections.StudyGroups).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			return chat.DeleteRoom(txApp, asStudyGroup(e.Record).ChatRoom())
		})
	})
}

// validateStudyGroup requires an owner of a new group, and a member limit
// no lower than the members the group has. The limit is checked when it
// changes only: a group that a superuser filled past its limit by hand
// must still let members leave.
func validateStudyGroup(group *StudyGroup) error {
	if group.IsNew() && group.Owner() == "" {
		return validation.Errors{collections.StudyGroupOwner: validation.NewError(
			"validation_required", "A new group needs an owner.")}
	}
	changed := group.IsNew() || group.MaxMembers() != asStudyGroup(group.Original()).MaxMembers()
	if count := group.MemberCount(); changed && group.MaxMembers() > 0 && group.MaxMembers() < count {
		return validation.Errors{collections.StudyGroupMaxMembers: validation.NewError(
			"validation_below_member_count",
			"Must be at least the current number of members ("+strconv.Itoa(count)+").")}
	}
	return nil
}

// ---------------------------------------------------------------------
// members

// bindGroupMemberRecords keeps each group's memberCount and chat
// participants equal to its member rows, however a row comes or goes
// (a route, the dashboard, an account deletion's cascade).
func bindGroupMemberRecords(app core.App) {
	app.OnRecordCreate(collections.StudyGroupMembers).BindFunc(func(e *core.RecordEvent) error {
		member := asGroupMember(e.Record)
		if member.JoinedAt().IsZero() {
			member.SetJoinedAt(types.NowDateTime())
		}
		if member.Role() == "" {
			member.SetRole(collections.GroupRoleMember)
		}
		return e.Next()
	})

	app.OnRecordCreateExecute(collections.StudyGroupMembers).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			return syncGroupMembership(txApp, asGroupMember(e.Record), chat.AddParticipant)
		})
	})

	app.OnRecordDeleteExecute(collections.StudyGroupMembers).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			return syncGroupMembership(txApp, asGroupMember(e.Record), chat.RemoveParticipant)
		})
	})
}

// syncGroupMembership recounts the member's group and applies change to
// its chat room. A group that is itself being deleted is already gone and
// needs neither.
func syncGroupMembership(txApp core.App, member *GroupMember, change func(app core.App, roomId, userId string) error) error {
	var roomId string
	err := txApp.DB().Select(collections.StudyGroupChatRoom).From(collections.StudyGroups).
		Where(dbx.HashExp{collections.FieldId: member.Group()}).Row(&roomId)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := recountGroup(txApp, member.Group()); err != nil {
		return err
	}
	if roomId == "" {
		return nil
	}
	err = change(txApp, roomId, member.User())
	if errors.Is(err, sql.ErrNoRows) {
		return nil // the room was deleted by hand
	}
	return err
}

// recountGroup sets the group's memberCount from its member rows, in SQL
// so that no stale copy of the group is saved over a concurrent change; a
// group left with no member is inactive, however it got there.
func recountGroup(txApp core.App, groupId string) error {
	members := "FROM {{" + collections.StudyGroupMembers + "}} WHERE [[" + collections.GroupMemberGroup + "]] = {:group}"
	params := dbx.Params{"group": groupId}
	_, err := txApp.DB().Update(collections.StudyGroups, dbx.Params{
		collections.StudyGroupMemberCount: dbx.NewExp("(SELECT COUNT(*) "+members+")", params),
		collections.StudyGroupActive: dbx.NewExp("([["+collections.StudyGroupActive+"]] AND EXISTS (SELECT 1 "+members+"))",
			params),
	}, dbx.HashExp{collections.FieldId: groupId}).Execute()
	return err
}

// ---------------------------------------------------------------------
// accounts

// bindAccountDeletion passes a departing account's groups on before its
// memberships cascade away: its ownership goes to the earliest admin, its
// last-admin seat to the earliest member, and a group it was alone in
// turns inactive.
func bindAccountDeletion(app core.App) {
	app.OnRecordDeleteExecute(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, func(txApp core.App) error {
			memberships := []*GroupMember{}
			err := txApp.RecordQuery(collections.StudyGroupMembers).
				AndWhere(dbx.HashExp{collections.GroupMemberUser: e.Record.Id}).
				All(&memberships)
			if err != nil {
				return err
			}
			for _, member := range memberships {
				group, err := FindStudyGroup(txApp, member.Group())
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
