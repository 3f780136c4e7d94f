package studygroups

import (
	"database/sql"
	"errors"
	"net/http"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/request"
)

// inviteForm is the body of POST /api/study-groups/{id}/invite.
type inviteForm struct {
	UserId string `json:"userId"`
}

// Validate requires the id of the user to invite.
func (form *inviteForm) Validate() error {
	return validation.ValidateStruct(form,
		validation.Field(&form.UserId, validation.Required, validation.Length(1, 100)),
	)
}

// Submit invites form.UserId to the group on behalf of inviter, who must
// be a member, and notifies the invitee.
func (form *inviteForm) Submit(txApp core.App, group *StudyGroup, inviter *core.Record) (*Invitation, error) {
	if form.UserId == inviter.Id {
		return nil, request.ConflictError(codeCannotInviteSelf, "You cannot invite yourself.")
	}
	if member, err := findMembership(txApp, group.Id, inviter.Id); err != nil {
		return nil, err
	} else if member == nil {
		return nil, request.CodedError(http.StatusForbidden, codeNotMember, "Only members can invite to this group.")
	}
	if !group.Active() {
		return nil, request.ConflictError(codeGroupInactive, "This group is no longer active.")
	}
	if _, err := txApp.FindRecordById(collections.Users, form.UserId); errors.Is(err, sql.ErrNoRows) {
		return nil, request.CodedError(http.StatusNotFound, codeUserNotFound, "There is no such user.")
	} else if err != nil {
		return nil, err
	}
	if existing, err := findMembership(txApp, group.Id, form.UserId); err != nil {
		return nil, err
	} else if existing != nil {
		return nil, request.ConflictError(codeAlreadyMember, "This user is already a member of the group.")
	}
	if _, err := FindPendingInvitation(txApp, group.Id, form.UserId); err == nil {
		return nil, request.ConflictError(codeAlreadyInvited, "This user already has a pending invitation to the group.")
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}

	invitation, err := NewInvitation(txApp, group.Id, inviter.Id, form.UserId)
	if err != nil {
		return nil, err
	}
	if err := txApp.Save(invitation); err != nil {
		return nil, err
	}
	return invitation, notifyInvited(txApp, group, invitation, inviter)
}

// studyGroupInvite invites a user to the group and answers the invitation.
func studyGroupInvite(e *core.RequestEvent) error {
	form := &inviteForm{}
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	var invitation *Invitation
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
	return request.RespondRecord(e, invitation.Record)
}

// findVisibleInvitation is the invitation id the caller may view, or a
// 404.
func findVisibleInvitation(e *core.RequestEvent, txApp core.App, id string) (*Invitation, error) {
	record, err := request.FindVisible(e, txApp, collections.StudyGroupInvitations, id)
	if err != nil {
		return nil, err
	}
	return asInvitation(record), nil
}

// findOwnPendingInvitation is the caller's own pending invitation id, with
// 403 not_invitee for an inviter or admin, 409 invitation_not_pending once
// answered.
func findOwnPendingInvitation(e *core.RequestEvent, txApp core.App, id string) (*Invitation, error) {
	invitation, err := findVisibleInvitation(e, txApp, id)
	if err != nil {
		return nil, err
	}
	if invitation.Invitee() != e.Auth.Id {
		return nil, request.CodedError(http.StatusForbidden, codeNotInvitee, "Only the invited user can answer this invitation.")
	}
	if !invitation.IsPending() {
		return nil, request.ConflictError(codeInvitationNotPending, "This invitation is no longer pending.")
	}
	return invitation, nil
}

// invitationAccept joins the invitation's group and answers the
// membership.
func invitationAccept(e *core.RequestEvent) error {
	var member *GroupMember
	err := request.Tx(e, func(txApp core.App) error {
		invitation, err := findOwnPendingInvitation(e, txApp, e.Request.PathValue("id"))
		if err != nil {
			return err
		}
		group, err := FindStudyGroup(txApp, invitation.Group())
		if err != nil {
			return err
		}
		member, err = joinGroup(txApp, group, e.Auth, invitation)
		return err
	})
	if err != nil {
		return err
	}
	return request.RespondRecord(e, member.Record)
}

// invitationDecline declines the caller's pending invitation.
func invitationDecline(e *core.RequestEvent) error {
	var invitation *Invitation
	err := request.Tx(e, func(txApp core.App) error {
		var err error
		if invitation, err = findOwnPendingInvitation(e, txApp, e.Request.PathValue("id")); err != nil {
			return err
		}
		invitation.SetStatus(collections.InvitationDeclined)
		return txApp.Save(invitation)
	})
	if err != nil {
		return err
	}
	return request.RespondRecord(e, invitation.Record)
}

// invitationRevoke revokes a pending invitation; its inviter or an admin
// of its group may.
func invitationRevoke(e *core.RequestEvent) error {
	var invitation *Invitation
	err := request.Tx(e, func(txApp core.App) error {
		var err error
		if invitation, err = findVisibleInvitation(e, txApp, e.Request.PathValue("id")); err != nil {
			return err
		}
		if invitation.Inviter() != e.Auth.Id {
			admin, err := isGroupAdmin(txApp, invitation.Group(), e.Auth.Id)
			if err != nil {
				return err
			}
			if !admin {
				return request.CodedError(http.StatusForbidden, codeNotInviter, "Only the inviter or a group admin can revoke this invitation.")
			}
		}
		if !invitation.IsPending() {
			return request.ConflictError(codeInvitationNotPending, "This invitation is no longer pending.")
		}
		invitation.SetStatus(collections.InvitationRevoked)
		return txApp.Save(invitation)
	})
	if err != nil {
		return err
	}
	return request.RespondRecord(e, invitation.Record)
}
