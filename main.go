// Command studyhall is the real-time backend of the studyhall learning
// platform: PocketBase used as a framework, with studyhall's collections,
// hooks, routes, jobs and CLI commands registered on top.
package main

import (
	"log"
	"net/http"
	_ "net/http/pprof" // served only when STUDYHALL_PPROF is set
	"os"
	"path/filepath"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"
	"github.com/pocketbase/pocketbase/tools/osutils"

	// Go's time zone database, so IANA zones work on hosts without zoneinfo.
	_ "time/tzdata"

	"studyhall/commands"
	"studyhall/hooks"
	_ "studyhall/migrations"
	"studyhall/replication"
	"studyhall/stmtcache"
	"studyhall/webapp"
)

func main() {
	app := pocketbase.NewWithConfig(pocketbase.Config{
		DefaultDev:       osutils.IsProbablyGoRun(),
		DataMaxOpenConns: stmtcache.MaxConns,
		DataMaxIdleConns: stmtcache.MaxConns,
		// PocketBase's SQLite settings, with each connection keeping its
		// compiled statements instead of parsing every query again
		DBConnect: stmtcache.Connect,
	})

	var publicDir string
	app.RootCmd.PersistentFlags().StringVar(
		&publicDir,
		"publicDir",
		defaultPublicDir(),
		"the directory to serve the web app from",
	)

	var indexFallback bool
	app.RootCmd.PersistentFlags().BoolVar(
		&indexFallback,
		"indexFallback",
		true,
		"fall back to index.html on a missing static path (client-side routes)",
	)

	replicate := replication.BindFlags(app.RootCmd)

	app.RootCmd.ParseFlags(os.Args[1:])

	// migrations are Go files in migrations/; automigrate (writing a new
	// migration file on every dashboard schema change) only under `go run`
	migratecmd.MustRegister(app, app.RootCmd, migratecmd.Config{
		TemplateLang: migratecmd.TemplateLangGo,
		Automigrate:  osutils.IsProbablyGoRun(),
		Dir:          "migrations",
	})

	hooks.Register(app)
	replication.Register(app, replicate)

	app.RootCmd.AddCommand(commands.NewSeedCommand(app))
	app.RootCmd.AddCommand(commands.NewMailCommand(app))
	app.RootCmd.AddCommand(commands.NewOutboxCommand(app))
	app.RootCmd.AddCommand(replication.NewRestoreCommand(app, replicate))
	app.RootCmd.AddCommand(replication.NewStatusCommand(app, replicate))

	// the web app, registered last so every API route wins over it
	webapp.Register(app, publicDir, indexFallback)

	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		servePprof(os.Getenv("STUDYHALL_PPROF"))
		return e.Next()
	})

	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}

// servePprof serves Go's profiler at addr (say 127.0.0.1:6060) when it is
// set, for measuring the server under a bench scenario:
//
//	STUDYHALL_PPROF=127.0.0.1:6060 go run ./bench -scenario capacity
//	go tool pprof http://127.0.0.1:6060/debug/pprof/profile?seconds=10
func servePprof(addr string) {
	if addr == "" {
		return
	}
	go func() {
		log.Printf("pprof: %v", http.ListenAndServe(addr, nil))
	}()
}

// defaultPublicDir prefers ./pb_public (a checkout, `go run` or `make run`)
// and falls back to pb_public beside the executable (an installed binary).
func defaultPublicDir() string {
	if info, err := os.Stat("pb_public"); err == nil && info.IsDir() {
		return "pb_public"
	}
	exe, err := os.Executable()
	if err != nil {
		return "pb_public"
	}
	return filepath.Join(filepath.Dir(exe), "pb_public")
}
