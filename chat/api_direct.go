package chat

import (
	"database/sql"
	"errors"
	"net/http"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/records"
	"studyhall/request"
)

// directForm is the body of POST /api/chat/direct.
type directForm struct {
	UserId string `json:"userId"`
}

// Validate implements validation.Validatable.
func (f *directForm) Validate() error {
	return validation.ValidateStruct(f, validation.Field(&f.UserId, validation.Required))
}

// chatDirect is POST /api/chat/direct: the one direct room of the caller
// and another user, found or created; a user who turned direct messages
// off cannot be written to first.
func chatDirect(e *core.RequestEvent) error {
	form := new(directForm)
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	if form.UserId == e.Auth.Id {
		return e.BadRequestError("You cannot open a direct room with yourself.",
			validation.Errors{"userId": validation.NewError("validation_self", "Must be another user.")})
	}
	other, err := e.App.FindRecordById(collections.Users, form.UserId)
	if err != nil {
		return e.NotFoundError("User not found.", nil)
	}

	key := directKey(e.Auth.Id, other.Id)
	room, err := findDirectRoom(e.App, key)
	if err == nil {
		return e.JSON(http.StatusOK, room.Record)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return e.InternalServerError("", err)
	}
	if !other.GetBool(collections.UserAllowDirectMessages) {
		return request.CodedError(http.StatusForbidden, "direct_messages_off", "This user does not accept direct messages.")
	}

	err = e.App.RunInTransaction(func(txApp core.App) error {
		record, err := CreateRoom(txApp, NewRoom{
			Name:         e.Auth.GetString(collections.UserName) + " & " + other.GetString(collections.UserName),
			Type:         collections.ChatRoomTypeDirect,
			CreatedBy:    e.Auth.Id,
			Participants: []string{e.Auth.Id, other.Id},
		})
		if err != nil {
			return err
		}
		room = records.Proxy[ChatRoom](record)
		room.SetDirectKey(key)
		return txApp.Save(room)
	})
	if err != nil {
		// a concurrent request created it first: the unique key says so
		if existing, findErr := findDirectRoom(e.App, key); findErr == nil {
			return e.JSON(http.StatusOK, existing.Record)
		}
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, room.Record)
}

// directKey names the pair of users whatever their order.
func directKey(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return a + ":" + b
}
