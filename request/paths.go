package request

import (
	"net/http"
	"path"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"
)

// ---------------------------------------------------------------------
// paths

// BindCleanAPIPaths answers a JSON 404 for any /api/ path that is not in
// its clean form (an empty segment, "." or "..", escaped or not), such as
// POST /api/live-sessions//join or /api/live-sessions/%2E%2E/join. Go's
// ServeMux, under PocketBase's router, would answer those with a redirect
// to the cleaned path before any route or middleware runs, so the check
// wraps the server's handler once the router is built.
func BindCleanAPIPaths(app core.App) {
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Func: func(e *core.ServeEvent) error {
			if err := e.Next(); err != nil {
				return err
			}
			if e.Server != nil && e.Server.Handler != nil {
				e.Server.Handler = refuseUncleanAPIPaths(e.Server.Handler)
			}
			return nil
		},
		// outermost, so that it runs after the router is built
		Priority: -99,
	})
}

// refuseUncleanAPIPaths wraps next with the check of BindCleanAPIPaths.
func refuseUncleanAPIPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if (p == "/api" || strings.HasPrefix(p, "/api/")) && !isCleanPath(p) {
			router.ErrorHandler(w, r, router.NewNotFoundError("", nil))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isCleanPath reports whether p is its own clean form, as ServeMux sees it
// (a trailing slash is allowed).
func isCleanPath(p string) bool {
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean == p
}
