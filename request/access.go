package request

import "github.com/pocketbase/pocketbase/core"

// IsSelfOrSuperuser reports whether the request is made by the user with id
// userId or by a superuser.
func IsSelfOrSuperuser(info *core.RequestInfo, userId string) bool {
	if info == nil || info.Auth == nil {
		return false
	}
	return info.Auth.IsSuperuser() || info.Auth.Id == userId
}
