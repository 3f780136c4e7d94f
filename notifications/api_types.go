package notifications

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
)

// notificationType is one row of GET /api/notifications/types.
type notificationType struct {
	Type        string `json:"type"`
	Category    string `json:"category"`
	Priority    string `json:"priority"`
	Mandatory   bool   `json:"mandatory"`
	EmailOnly   bool   `json:"emailOnly"`
	Label       string `json:"label"`
	Description string `json:"description,omitempty"`
}

// notificationTypes is GET /api/notifications/types: the trigger catalog,
// in its order, so that a client (the preferences page) lists the types
// a user may override without keeping a copy of its own.
func notificationTypes(e *core.RequestEvent) error {
	types := make([]notificationType, len(collections.NotificationCatalog))
	for i, kind := range collections.NotificationCatalog {
		types[i] = notificationType{
			Type:        kind.Type,
			Category:    kind.Category,
			Priority:    kind.Priority,
			Mandatory:   kind.Mandatory,
			EmailOnly:   kind.EmailOnly,
			Label:       kind.Label,
			Description: kind.Description,
		}
	}
	return e.JSON(http.StatusOK, types)
}
