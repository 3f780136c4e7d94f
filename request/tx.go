package request

import (
	"database/sql"
	"errors"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Tx runs fn in one transaction of the request's app and turns its error
// into the API answer: the API errors fn returns as they are, field errors
// as a 400, a missing record (sql.ErrNoRows) as a 404 and anything else as
// a 500. It is the one way a route writes more than one row.
func Tx(e *core.RequestEvent, fn func(txApp core.App) error) error {
	return Error(e, e.App.RunInTransaction(fn))
}

// Error is err as a route answers it (see Tx); nil stays nil.
func Error(e *core.RequestEvent, err error) error {
	if err == nil {
		return nil
	}
	var apiErr *router.ApiError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	var fieldErrs validation.Errors
	if errors.As(err, &fieldErrs) {
		return e.BadRequestError("", fieldErrs)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return e.NotFoundError("", err)
	}
	return e.InternalServerError("", err)
}
