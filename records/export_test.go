package records

// ServerOwnedFields is the server-owned table for the tests of package
// hooks_test: per collection, each field and whether an update must keep
// its stored value (false: the client may change it once created).
func ServerOwnedFields() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for collection, fields := range serverOwned {
		out[collection] = map[string]bool{}
		for _, f := range fields {
			out[collection][f.name] = !f.clientUpdates
		}
	}
	return out
}
