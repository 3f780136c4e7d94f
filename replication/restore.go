package replication

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"studyhall/collections"
)

// RestoreOptions says what `studyhall restore` restores, and where.
type RestoreOptions struct {
	// From is the replica URL.
	From string
	// Dir is the data directory to restore into; it must be empty or
	// missing unless Force is set.
	Dir string
	// Timestamp, if not zero, restores the state at that time instead of
	// the newest one.
	Timestamp time.Time
	// Force replaces the databases of a non-empty Dir (and their
	// replication state); other files there (storage/, backups/) stay.
	Force bool
}

// RestoredDB is one database written by Restore.
type RestoredDB struct {
	Name string
	Size int64
	// Skipped says why nothing was written (auxiliary.db only: it holds
	// logs, and PocketBase creates it anew).
	Skipped string
}

// ErrNotEmpty is returned by Restore for a non-empty directory without
// Force.
var ErrNotEmpty = errors.New("the data directory is not empty")

// Restore writes the databases of opts.From into opts.Dir. Both are
// restored into a temporary directory first and moved into place only when
// both are complete, so a failed restore leaves Dir as it was.
func Restore(ctx context.Context, opts RestoreOptions) ([]RestoredDB, error) {
	if _, err := checkURL(opts.From); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(opts.Dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if len(entries) > 0 && !opts.Force {
		return nil, fmt.Errorf("%s: %w; restore into a new directory, or pass --force to replace its databases", opts.Dir, ErrNotEmpty)
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(opts.Dir, ".restore-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	quiet := slog.New(slog.DiscardHandler)
	var restored []RestoredDB
	for _, name := range Databases {
		err := restoreDB(ctx, opts.From, name, filepath.Join(tmp, name), opts.Timestamp, quiet)
		switch {
		case errors.Is(err, errNothingToRestore) && name != Databases[0]:
			restored = append(restored, RestoredDB{Name: name, Skipped: err.Error()})
			continue
		case errors.Is(err, errNothingToRestore) && !opts.Timestamp.IsZero():
			return nil, fmt.Errorf("%s: the replica %s holds no copy of it at %s", name, Redact(opts.From), opts.Timestamp.Format(time.RFC3339))
		case errors.Is(err, errNothingToRestore):
			return nil, fmt.Errorf("%s: the replica %s holds no copy of it", name, Redact(opts.From))
		case err != nil:
			return nil, fmt.Errorf("restore %s: %w", name, err)
		}
		info, err := os.Stat(filepath.Join(tmp, name))
		if err != nil {
			return nil, err
		}
		restored = append(restored, RestoredDB{Name: name, Size: info.Size()})
	}

	for _, db := range restored {
		if db.Skipped != "" && !opts.Force {
			continue
		}
		// the old database, its WAL and Litestream's staging of it go:
		// staged changes of another history must not be replicated
		for _, stale := range []string{db.Name, db.Name + "-wal", db.Name + "-shm", metaDir("", db.Name)} {
			if err := os.RemoveAll(filepath.Join(opts.Dir, stale)); err != nil {
				return nil, err
			}
		}
		if db.Skipped == "" {
			if err := os.Rename(filepath.Join(tmp, db.Name), filepath.Join(opts.Dir, db.Name)); err != nil {
				return nil, err
			}
		}
	}
	return restored, nil
}

// restoreDB writes the newest state of database name in the replica raw
// (or its state at timestamp, if not zero) to outputPath, which must not
// exist.
func restoreDB(ctx context.Context, raw, name, outputPath string, timestamp time.Time, logger *slog.Logger) error {
	client, err := newClient(raw, name)
	if err != nil {
		return err
	}
	client.SetLogger(logger)
	if err := client.Init(ctx); err != nil {
		return fmt.Errorf("connect to the replica: %w", err)
	}
	replica := litestream.NewReplicaWithClient(nil, client)
	opt := litestream.NewRestoreOptions()
	opt.OutputPath = outputPath
	opt.Timestamp = timestamp
	opt.IntegrityCheck = litestream.IntegrityCheckQuick
	if err := replica.Restore(ctx, opt); err != nil {
		if errors.Is(err, litestream.ErrTxNotAvailable) || errors.Is(err, litestream.ErrNoSnapshots) {
			return errNothingToRestore
		}
		return err
	}
	return nil
}

// errNothingToRestore says the replica holds no state of a database (at
// the time asked for).
var errNothingToRestore = errors.New("the replica holds no copy of it")

// ---

// NewRestoreCommand returns `studyhall restore --from URL [--timestamp T]
// --dir DIR [--force]`.
//
// The restore runs in an OnBootstrap hook, before PocketBase opens the data
// directory: PocketBase bootstraps before every command, and bootstrapping
// creates data.db and auxiliary.db in --dir, so a restore running as the
// command itself would find the directory no longer empty and its own
// files in the way. Once the restore is in place, PocketBase bootstraps on
// the restored databases, which checks that they open, and the command
// reports what it restored.
func NewRestoreCommand(app core.App, cfg *Config) *cobra.Command {
	var (
		opts     RestoreOptions
		at       string
		restored []RestoredDB
		took     time.Duration
	)
	cmd := &cobra.Command{
		Use:   "restore",
		Short: "Restores data.db and auxiliary.db from the replica into a new data directory",
		Long: "Restores data.db and auxiliary.db from the replica (--from, default --replicate or $" + EnvURL + ")\n" +
			"into the data directory --dir, which must be empty or missing unless --force is given.\n" +
			"With --timestamp (RFC 3339) it restores the state at that time, if the replica still has it.\n" +
			"Stop the server first; uploaded files (pb_data/storage) are not in the replica.",
		Example:      "  studyhall restore --from file:///var/backups/studyhall --dir /srv/studyhall/pb_data.new\n  studyhall restore --from s3://bucket/studyhall --timestamp 2026-03-01T07:30:00Z --dir pb_data.before",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if restored == nil {
				return errors.New("nothing was restored")
			}
			w := cmd.OutOrStdout()
			for _, db := range restored {
				if db.Skipped != "" {
					fmt.Fprintf(w, "%s: not restored (%s); PocketBase created it empty\n", db.Name, db.Skipped)
					continue
				}
				fmt.Fprintf(w, "%s: restored, %d bytes\n", db.Name, db.Size)
			}
			users, err := app.CountRecords(collections.Users)
			if err != nil {
				return fmt.Errorf("the restored data.db does not open: %w", err)
			}
			fmt.Fprintf(w, "Restored %s from %s in %s: %d users.\n", app.DataDir(), Redact(opts.From), took.Round(time.Millisecond), users)
			fmt.Fprintf(w, "To make it the live server, stop the old one, then: studyhall serve --dir %s --replicate %s\n", app.DataDir(), Redact(opts.From))
			fmt.Fprintln(w, "A copy for a drill must not replicate to that replica: serve it without --replicate and with STUDYHALL_REPLICATE unset.")
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.From, "from", "", "the replica URL: file:///path or s3://bucket/path (default --replicate or $"+EnvURL+")")
	cmd.Flags().StringVar(&at, "timestamp", "", "restore the state at this time (RFC 3339, e.g. 2026-03-01T07:30:00Z)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "replace the databases of a non-empty --dir")

	app.OnBootstrap().BindFunc(func(e *core.BootstrapEvent) error {
		if found, _, err := cmd.Root().Find(os.Args[1:]); err != nil || found != cmd {
			return e.Next()
		}
		// cobra parses them again when the command runs
		if err := cmd.ParseFlags(os.Args[1:]); err != nil {
			return err
		}
		if opts.From == "" {
			opts.From = cfg.URL()
		}
		if opts.From == "" {
			return fmt.Errorf("restore: pass --from URL (or --replicate, or set %s)", EnvURL)
		}
		if at != "" {
			t, err := time.Parse(time.RFC3339, at)
			if err != nil {
				return fmt.Errorf("restore: --timestamp %q is not an RFC 3339 time such as 2026-03-01T07:30:00Z", at)
			}
			opts.Timestamp = t
		}
		opts.Dir = e.App.DataDir()
		// Litestream logs its restore steps to slog's default logger, which
		// is not the app's yet; the command reports the result itself.
		// slog.SetDefault also takes over the log package's output, which
		// setting the old logger back does not undo, so that goes back by
		// hand (main.go's log.Fatal reports a failed restore through it).
		defaultLogger, logOutput, logFlags := slog.Default(), log.Writer(), log.Flags()
		slog.SetDefault(slog.New(slog.DiscardHandler))
		start := time.Now()
		var err error
		restored, err = Restore(context.Background(), opts)
		took = time.Since(start)
		slog.SetDefault(defaultLogger)
		log.SetOutput(logOutput)
		log.SetFlags(logFlags)
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		return e.Next()
	})
	return cmd
}
