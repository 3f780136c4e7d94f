package studygroups

import (
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/request"
)

// Register binds study groups: the server-kept fields and the chat
// room of every group, member counts and chat participants that follow
// the member rows whoever writes them, ownership passed on when an
// account goes, and the /api/study-groups, /api/study-group-invitations
// and /api/users/search routes.
func Register(app core.App) {
	bindStudyGroupRecords(app)
	bindGroupMemberRecords(app)
	bindAccountDeletion(app)

	search := newUserSearch()
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
		invitations.POST("/{id}/accept", invitationAccept)
		invitations.POST("/{id}/decline", invitationDecline)
		invitations.POST("/{id}/revoke", invitationRevoke)

		se.Router.GET("/api/users/search", search.handle).
			Bind(apis.RequireAuth(collections.Users), request.RequireJSONBody())
		return se.Next()
	})
}

// findVisibleGroup is the group the caller may view, or a 404 for any
// other id, as the view rule has it.
func findVisibleGroup(e *core.RequestEvent, app core.App, id string) (*StudyGroup, error) {
	record, err := request.FindVisible(e, app, collections.StudyGroups, id)
	if err != nil {
		return nil, err
	}
	return asStudyGroup(record), nil
}
