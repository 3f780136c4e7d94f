// Package request is the skeleton every studyhall route shares: errors in
// PocketBase's shape with stable codes, visibility through the collection's
// own rule, one transaction helper, per-user limits and record answers.
package request

import (
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// CodedError is an API error whose data carries a stable code a client can
// branch on: {"status":409,"message":"...","data":{"code":"session_full"}}.
func CodedError(status int, code, message string) *router.ApiError {
	return &router.ApiError{
		Status:  status,
		Message: message,
		Data:    map[string]any{"code": code},
	}
}

// ConflictError is a 409 with a code: the request is well formed but the
// current state does not allow it.
func ConflictError(code, message string) *router.ApiError {
	return CodedError(http.StatusConflict, code, message)
}

// FindVisible is the record of collection with id when the caller passes
// the collection's view rule, and a 404 otherwise: a record the caller may
// not see does not exist for them, whether or not it exists.
func FindVisible(e *core.RequestEvent, app core.App, collection, id string) (*core.Record, error) {
	record, err := app.FindRecordById(collection, id)
	if err != nil {
		return nil, router.NewNotFoundError("", err)
	}
	info, err := e.RequestInfo()
	if err != nil {
		return nil, err
	}
	visible, err := app.CanAccessRecord(record, info, record.Collection().ViewRule)
	if err != nil || !visible {
		return nil, router.NewNotFoundError("", err)
	}
	return record, nil
}

// RespondRecord answers with one record as the records API would show it
// to the caller.
func RespondRecord(e *core.RequestEvent, record *core.Record) error {
	if err := apis.EnrichRecord(e, record); err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, record)
}
