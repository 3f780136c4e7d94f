package presence

import (
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/request"
)

// Per-user limit of PUT /api/presence/status: a burst of
// presenceStatusBurst changes, then one every presenceStatusEvery.
const (
	presenceStatusBurst = 10
	presenceStatusEvery = 2 * time.Second
)

// statusForm is the body of PUT /api/presence/status.
type statusForm struct {
	Status   string  `json:"status"`
	Activity *string `json:"activity"`
}

// Validate implements validation.Validatable.
func (f *statusForm) Validate() error {
	return validation.ValidateStruct(f,
		validation.Field(&f.Status, validation.Required, validation.By(func(any) error {
			if !IsManual(f.Status) {
				return validation.NewError("validation_invalid_status", "Must be one of online, away, busy or invisible.")
			}
			return nil
		})),
		validation.Field(&f.Activity, validation.By(validActivity)),
	)
}

// presenceSetStatus is PUT /api/presence/status: a manual status that
// persists across reloads and devices; "online" returns to automatic.
func presenceSetStatus(e *core.RequestEvent, tracker *presenceTracker, limiter *request.UserLimiter) error {
	if err := request.LimitUser(e, limiter, "Too many status changes: wait a moment and try again."); err != nil {
		return err
	}
	form := new(statusForm)
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	manual := form.Status
	if manual == Online {
		manual = ManualNone
	}
	if _, err := tracker.setManual(e.Auth.Id, manual, form.Activity, time.Now()); err != nil {
		return e.InternalServerError("", err)
	}
	return presenceAnswer(e, tracker)
}
