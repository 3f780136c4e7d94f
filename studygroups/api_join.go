package studygroups

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/request"
)

// studyGroupJoin joins a public group, or a private one with a pending
// invitation (which becomes accepted), and answers the membership.
func studyGroupJoin(e *core.RequestEvent) error {
	var member *GroupMember
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
	return request.RespondRecord(e, member.Record)
}

// studyGroupLeave takes the caller out of the group.
func studyGroupLeave(e *core.RequestEvent) error {
	err := request.Tx(e, func(txApp core.App) error {
		group, err := findVisibleGroup(e, txApp, e.Request.PathValue("id"))
		if err != nil {
			return err
		}
		member, err := findMembership(txApp, group.Id, e.Auth.Id)
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
