package replication

import (
	"context"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// StatusPath is the superuser route that shows the running server's
// replication.
const StatusPath = "/api/studyhall/replication"

// Register starts replication with `serve` when a replica URL is
// configured (cfg), stops it when the app terminates, and serves
// GET /api/studyhall/replication to superusers.
func Register(app core.App, cfg *Config) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		var replicator *Replicator
		if raw := cfg.URL(); raw != "" {
			var err error
			// Litestream's own lines only in --dev, on the console
			var litestreamLog io.Writer
			if e.App.IsDev() {
				litestreamLog = os.Stderr
			}
			if replicator, err = New(e.App.DataDir(), raw, e.App.Logger(), litestreamLog); err != nil {
				return err
			}
			replicator.Start()
			// before PocketBase closes its databases (the final step of
			// OnTerminate), and after the HTTP server stopped (priority
			// -9999), so the last writes are in the final upload
			e.App.OnTerminate().BindFunc(func(te *core.TerminateEvent) error {
				ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout+5*time.Second)
				defer cancel()
				if err := replicator.Stop(ctx); err != nil {
					te.App.Logger().Error("Replication did not stop cleanly; the next start sends what is left.", "error", err)
				}
				return te.Next()
			})
		}
		e.Router.GET(StatusPath, func(re *core.RequestEvent) error {
			if replicator == nil {
				return re.JSON(http.StatusOK, Status{Databases: []DBStatus{}})
			}
			return re.JSON(http.StatusOK, replicator.Status())
		}).Bind(apis.RequireSuperuserAuth())
		return e.Next()
	})
}
