package studygroups

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/presence"
	"studyhall/request"
)

// studyGroupOnline answers {"online": N, "members": M} for a group the
// caller may view.
func studyGroupOnline(e *core.RequestEvent) error {
	group, err := findVisibleGroup(e, e.App, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	memberIds, err := GroupMemberIds(e.App, group.Id)
	if err != nil {
		return request.Error(e, err)
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
