// Package webapp serves the web app (pb_public/) at the root of the site,
// beside the API and the dashboard.
package webapp

import (
	"net/http"
	"os"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// Register serves the files of publicDir at GET /{path...}, with
// index.html for a missing path when indexFallback is on (the web app's
// client-side routes). The API (/api/) and the dashboard (/_/) are never
// covered: a path under them that no route serves answers PocketBase's
// JSON 404 whatever the method, so a client sees a 404 and not the web
// app's index page.
//
// It binds last, so that every API route wins over it, and only when no
// GET /{path...} route exists yet.
func Register(app core.App, publicDir string, indexFallback bool) {
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Func: func(e *core.ServeEvent) error {
			if !e.Router.HasRoute(http.MethodGet, "/{path...}") {
				static := apis.Static(os.DirFS(publicDir), indexFallback)
				e.Router.GET("/{path...}", func(re *core.RequestEvent) error {
					if isReserved(re.Request.PathValue(apis.StaticWildcardParam)) {
						return re.NotFoundError("", nil)
					}
					return static(re)
				})
			}
			return e.Next()
		},
		Priority: 999,
	})
}

// isReserved reports whether the wildcard path (without its leading slash)
// lies under /api or /_.
func isReserved(path string) bool {
	for _, prefix := range []string{"api", "_"} {
		if path == prefix || strings.HasPrefix(path, prefix+"/") {
			return true
		}
	}
	return false
}
