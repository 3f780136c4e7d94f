package studygroups

import (
	"net/http"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/request"
)

// memberRoleForm is the body of POST
// /api/study-groups/{id}/members/{userId}/role.
type memberRoleForm struct {
	Role string `json:"role"`
}

// Validate requires admin or member.
func (form *memberRoleForm) Validate() error {
	return validation.ValidateStruct(form,
		validation.Field(&form.Role, validation.Required,
			validation.In(collections.GroupRoleAdmin, collections.GroupRoleMember).Error("Must be admin or member.")),
	)
}

// Submit gives the member the form's role. The owner stays an admin and a
// group with members keeps at least one admin.
func (form *memberRoleForm) Submit(txApp core.App, group *StudyGroup, member *GroupMember) (changed bool, err error) {
	if member.Role() == form.Role {
		return false, nil
	}
	if form.Role != collections.GroupRoleAdmin {
		if member.User() == group.Owner() {
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
	member.SetRole(form.Role)
	return true, txApp.Save(member)
}

// studyGroupMemberRole gives a member the admin or member role (admins
// only) and tells them, answering the membership.
func studyGroupMemberRole(e *core.RequestEvent) error {
	form := &memberRoleForm{}
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	var member *GroupMember
	err := request.Tx(e, func(txApp core.App) error {
		group, err := findAdministeredGroup(e, txApp)
		if err != nil {
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
	return request.RespondRecord(e, member.Record)
}

// studyGroupMemberRemove takes another member out of the group (admins
// only; never the owner). Removing oneself is leaving.
func studyGroupMemberRemove(e *core.RequestEvent) error {
	err := request.Tx(e, func(txApp core.App) error {
		group, err := findAdministeredGroup(e, txApp)
		if err != nil {
			return err
		}
		userId := e.Request.PathValue("userId")
		member, err := findTargetMember(txApp, group, userId)
		if err != nil {
			return err
		}
		if userId != e.Auth.Id && userId == group.Owner() {
			return request.CodedError(http.StatusForbidden, codeCannotRemoveOwner, "The group's owner cannot be removed.")
		}
		return departGroup(txApp, group, member, false)
	})
	if err != nil {
		return err
	}
	return e.NoContent(http.StatusNoContent)
}

// findAdministeredGroup is the group of the path's id when the caller may
// view it and is one of its admins: a 404 or a 403 not_admin otherwise.
func findAdministeredGroup(e *core.RequestEvent, txApp core.App) (*StudyGroup, error) {
	group, err := findVisibleGroup(e, txApp, e.Request.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if admin, err := isGroupAdmin(txApp, group.Id, e.Auth.Id); err != nil {
		return nil, err
	} else if !admin {
		return nil, request.CodedError(http.StatusForbidden, codeNotAdmin, "Only the group's admins can do this.")
	}
	return group, nil
}

// findTargetMember is userId's membership of the group, or a 404 with
// not_member.
func findTargetMember(txApp core.App, group *StudyGroup, userId string) (*GroupMember, error) {
	member, err := findMembership(txApp, group.Id, userId)
	if err != nil {
		return nil, err
	}
	if member == nil {
		return nil, request.CodedError(http.StatusNotFound, codeNotMember, "This user is not a member of the group.")
	}
	return member, nil
}
