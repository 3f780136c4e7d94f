package presence

import (
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/request"
)

// heartbeatForm is the body of POST /api/presence/heartbeat.
type heartbeatForm struct {
	Activity *string `json:"activity"`
	Active   *bool   `json:"active"`
}

// Validate implements validation.Validatable.
func (f *heartbeatForm) Validate() error {
	return validation.ValidateStruct(f,
		validation.Field(&f.Activity, validation.By(validActivity)),
	)
}

// presenceHeartbeat is POST /api/presence/heartbeat: clients send it every
// 60 s with what the user is doing and whether they are active.
func presenceHeartbeat(e *core.RequestEvent, tracker *presenceTracker, limiter *request.UserLimiter) error {
	if err := request.LimitUser(e, limiter, "Too many heartbeats; send one every 60 seconds."); err != nil {
		return err
	}
	form := new(heartbeatForm)
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	active := form.Active == nil || *form.Active
	if _, err := tracker.heartbeat(e.Auth.Id, form.Activity, active, time.Now()); err != nil {
		return e.InternalServerError("", err)
	}
	return presenceAnswer(e, tracker)
}

// presenceAnswer answers the heartbeat and status routes with the caller's
// presence row, as they see it.
func presenceAnswer(e *core.RequestEvent, tracker *presenceTracker) error {
	row, err := tracker.current(e.Auth.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	return request.RespondRecord(e, row.Record)
}

// validActivity is the rule of the activity field of the heartbeat and
// status forms.
func validActivity(value any) error {
	activity, _ := value.(*string)
	if activity != nil && len([]rune(*activity)) > collections.MaxActivityLength {
		return validation.NewError("validation_max_text_constraint", "Must be no more than 100 characters.")
	}
	return nil
}
