package livesessions

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/presence"
)

// attendeeItem is one row of GET /api/live-sessions/{id}/attendees: who is
// in the session and their presence, never join times or emails.
type attendeeItem struct {
	Id     string `json:"id"`
	Name   string `json:"name"`
	Avatar string `json:"avatar"`
	Status string `json:"status"`
}

// listLiveSessionAttendees is GET /api/live-sessions/{id}/attendees.
func listLiveSessionAttendees(e *core.RequestEvent) error {
	session, err := findViewableSession(e)
	if err != nil {
		return err
	}
	userIds, err := activeAttendeeUsers(e.App, session.Id, collections.AttendeeJoinedAt, collections.FieldId)
	if err != nil {
		return e.InternalServerError("", err)
	}
	users, err := e.App.FindRecordsByIds(collections.Users, userIds)
	if err != nil {
		return e.InternalServerError("", err)
	}
	byId := make(map[string]*core.Record, len(users))
	for _, u := range users {
		byId[u.Id] = u
	}
	presence := presence.StatusesOf(e.App, userIds)

	items := make([]attendeeItem, 0, len(userIds))
	for _, id := range userIds {
		u, ok := byId[id]
		if !ok {
			continue
		}
		items = append(items, attendeeItem{
			Id:     u.Id,
			Name:   u.GetString(collections.UserName),
			Avatar: u.GetString(collections.UserAvatar),
			Status: presence[u.Id],
		})
	}
	return e.JSON(http.StatusOK, map[string]any{"items": items})
}
