package records

import (
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Any is ids as the []any that dbx.In and friends take.
func Any(ids []string) []any {
	result := make([]any, len(ids))
	for i, id := range ids {
		result[i] = id
	}
	return result
}

// Exp is a raw SQL expression with named params.
func Exp(expr string, params ...map[string]any) dbx.Expression {
	if len(params) == 0 {
		return dbx.NewExp(expr)
	}
	return dbx.NewExp(expr, dbx.Params(params[0]))
}

// FormatTime is t as PocketBase stores dates ("2006-01-02 15:04:05.000Z",
// UTC), for comparisons in SQL against date fields.
func FormatTime(t time.Time) string {
	return t.UTC().Format(types.DefaultDateLayout)
}
