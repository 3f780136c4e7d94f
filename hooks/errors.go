package hooks

import (
	"net/http"

	"github.com/pocketbase/pocketbase/tools/router"
)

// codedError is an API error whose data carries a stable code a client can
// branch on: {"status":409,"message":"...","data":{"code":"session_full"}}.
func codedError(status int, code, message string) *router.ApiError {
	return &router.ApiError{
		Status:  status,
		Message: message,
		Data:    map[string]any{"code": code},
	}
}

// conflictError is a 409 with a code: the request is well formed but the
// current state does not allow it.
func conflictError(code, message string) *router.ApiError {
	return codedError(http.StatusConflict, code, message)
}
