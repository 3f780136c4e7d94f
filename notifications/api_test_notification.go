package notifications

import (
	"net/http"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/records"
	"studyhall/request"
)

// The per-user limit of POST /api/notifications/test: each call can queue
// an email, so a user gets 3 at once and then one every 20 seconds.
const (
	testNotificationEvery = 20 * time.Second
	testNotificationBurst = 3
)

// testNotificationForm is the body of POST /api/notifications/test.
type testNotificationForm struct {
	Priority string `json:"priority"`
}

// Validate accepts an empty priority (normal) or one of the priorities.
func (form *testNotificationForm) Validate() error {
	return validation.ValidateStruct(form,
		validation.Field(&form.Priority, validation.In(records.Any(collections.NotificationPriorities)...).
			Error("Must be one of low, normal, high or urgent.")),
	)
}

// Submit sends the test notification to user under their preferences.
func (form *testNotificationForm) Submit(app core.App, userId string) (*Result, error) {
	return Send(app, Notification{
		Type:       collections.TypeTest,
		Recipients: []string{userId},
		Priority:   form.Priority,
		Title:      "Test notification",
		Message:    "Notifications work: this is how studyhall will reach you.",
		Data:       map[string]any{"priority": form.Priority},
		ActionURL:  "/notifications",
		ActionText: "See your notifications",
	})
}

// notificationsTest is POST /api/notifications/test: it sends the caller a
// test notification and answers {"held", "notification": the delivered
// record or null}. Only a valid request takes from the caller's limit.
func notificationsTest(e *core.RequestEvent, limiter *request.UserLimiter) error {
	form := &testNotificationForm{}
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	if err := request.LimitUser(e, limiter, "Too many test notifications; wait a moment and try again."); err != nil {
		return err
	}
	result, err := form.Submit(e.App, e.Auth.Id)
	if err != nil {
		return request.Error(e, err)
	}
	response := map[string]any{"held": len(result.Held) > 0, "notification": nil}
	if len(result.Delivered) > 0 {
		record := result.Delivered[0]
		if err := apis.EnrichRecord(e, record); err != nil {
			return e.InternalServerError("", err)
		}
		response["notification"] = record
	}
	return e.JSON(http.StatusOK, response)
}
