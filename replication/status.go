package replication

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
	"github.com/superfly/ltx"
)

// Status is the replication of a data directory, as GET
// /api/studyhall/replication and `studyhall replication status` show it.
type Status struct {
	// Enabled is false when the server runs without --replicate.
	Enabled bool `json:"enabled"`
	// Running is true once Litestream has started (it retries in the
	// background while the replica cannot be reached at boot).
	Running   bool       `json:"running"`
	Replica   string     `json:"replica,omitempty"`
	Databases []DBStatus `json:"databases"`
}

// DBStatus is the replication of one database.
type DBStatus struct {
	Name string `json:"name"`
	// LocalTXID is the newest transaction Litestream has staged from the
	// WAL; ReplicaTXID the newest one on the replica.
	LocalTXID   uint64 `json:"localTxid"`
	ReplicaTXID uint64 `json:"replicaTxid"`
	// Pending counts the staged transactions not yet on the replica.
	Pending uint64 `json:"pending"`
	InSync  bool   `json:"inSync"`
	// LagSeconds is how long the oldest staged change not yet on the
	// replica has waited; 0 when in sync.
	LagSeconds float64 `json:"lagSeconds"`
	// LastSyncAt is the last time the replica was found up to date (the
	// running server) or last received a change (read from the replica).
	LastSyncAt *time.Time `json:"lastSyncAt"`
	// FailingSince is the start of the current outage, with its error.
	FailingSince *time.Time `json:"failingSince,omitempty"`
	Error        string     `json:"error,omitempty"`
}

// fillLag sets Pending, InSync and LagSeconds from the TXIDs and the
// staging directory l0Dir (pb_data/.<db>-litestream/ltx/0), whose files
// are the staged transactions: the oldest one past the replica's position
// is the change that has waited longest.
func (s *DBStatus) fillLag(l0Dir string, now time.Time) {
	s.InSync = s.LocalTXID <= s.ReplicaTXID
	if s.InSync {
		s.Pending, s.LagSeconds = 0, 0
		return
	}
	s.Pending = s.LocalTXID - s.ReplicaTXID
	entries, err := os.ReadDir(l0Dir)
	if err != nil {
		return
	}
	var oldest time.Time
	for _, entry := range entries {
		_, maxTXID, err := ltx.ParseFilename(entry.Name())
		if err != nil || uint64(maxTXID) <= s.ReplicaTXID {
			continue
		}
		info, err := entry.Info()
		if err != nil {
			continue
		}
		if oldest.IsZero() || info.ModTime().Before(oldest) {
			oldest = info.ModTime()
		}
	}
	if !oldest.IsZero() {
		s.LagSeconds = max(now.Sub(oldest).Seconds(), 0)
	}
}

// metaDir is where Litestream stages database name of dataDir.
func metaDir(dataDir, name string) string {
	return filepath.Join(dataDir, "."+name+litestream.MetaDirSuffix)
}

// ReadStatus reads the replication of dataDir's databases from the data
// directory and the replica themselves, whether a server runs or not: the
// staged transactions on one side, the replica's files on the other.
func ReadStatus(ctx context.Context, dataDir, raw string) (Status, error) {
	status := Status{Enabled: true, Replica: Redact(raw)}
	now := time.Now()
	for _, name := range Databases {
		s := DBStatus{Name: name}
		l0Dir := litestream.LTXLevelDir(metaDir(dataDir, name), 0)
		local, err := maxLocalTXID(l0Dir)
		if err != nil {
			return status, err
		}
		s.LocalTXID = uint64(local)

		client, err := newClient(raw, name)
		if err != nil {
			return status, err
		}
		remote, updatedAt, err := replicaPosition(ctx, client)
		if err != nil {
			now := time.Now()
			s.FailingSince, s.Error = &now, err.Error()
		} else {
			s.ReplicaTXID = uint64(remote)
			if !updatedAt.IsZero() {
				s.LastSyncAt = &updatedAt
			}
		}
		s.fillLag(l0Dir, now)
		status.Databases = append(status.Databases, s)
	}
	return status, nil
}

// maxLocalTXID is the newest staged transaction in l0Dir, 0 if none.
func maxLocalTXID(l0Dir string) (ltx.TXID, error) {
	entries, err := os.ReadDir(l0Dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	var newest ltx.TXID
	for _, entry := range entries {
		if _, maxTXID, err := ltx.ParseFilename(entry.Name()); err == nil {
			newest = max(newest, maxTXID)
		}
	}
	return newest, nil
}

// replicaPosition is the newest transaction on the replica, over every
// compaction level, and when its newest file was written.
func replicaPosition(ctx context.Context, client litestream.ReplicaClient) (ltx.TXID, time.Time, error) {
	if err := client.Init(ctx); err != nil {
		return 0, time.Time{}, err
	}
	var newest ltx.TXID
	var updatedAt time.Time
	for level := 0; level <= litestream.SnapshotLevel; level++ {
		itr, err := client.LTXFiles(ctx, level, 0, false)
		if err != nil {
			return 0, time.Time{}, err
		}
		for itr.Next() {
			info := itr.Item()
			newest = max(newest, info.MaxTXID)
			if info.CreatedAt.After(updatedAt) {
				updatedAt = info.CreatedAt
			}
		}
		if err := itr.Close(); err != nil {
			return 0, time.Time{}, err
		}
	}
	return newest, updatedAt, nil
}

// ---

// NewStatusCommand returns `studyhall replication status`: each database's
// replication lag and last change on the replica, read from the data
// directory (--dir) and the replica (--replicate or $STUDYHALL_REPLICATE),
// so it answers whether the server runs or not. With --max-lag it exits
// non-zero when a database lags more, for a monitoring check.
func NewStatusCommand(app core.App, cfg *Config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "replication",
		Short: "Shows the continuous replication of the databases",
	}
	var maxLag time.Duration
	status := &cobra.Command{
		Use:          "status",
		Short:        "Shows each database's replication lag and last change on the replica",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			raw := cfg.URL()
			if raw == "" {
				return fmt.Errorf("no replica: pass --replicate URL or set %s", EnvURL)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), time.Minute)
			defer cancel()
			s, err := ReadStatus(ctx, app.DataDir(), raw)
			if err != nil {
				return err
			}
			printStatus(cmd.OutOrStdout(), s)
			for _, db := range s.Databases {
				if db.Error != "" {
					return fmt.Errorf("%s: the replica cannot be read: %s", db.Name, db.Error)
				}
				if maxLag > 0 && db.LagSeconds > maxLag.Seconds() {
					return fmt.Errorf("%s lags %.1fs behind, more than %s", db.Name, db.LagSeconds, maxLag)
				}
			}
			return nil
		},
	}
	status.Flags().DurationVar(&maxLag, "max-lag", 0, "exit with an error when a database lags more than this (e.g. 1m)")
	cmd.AddCommand(status)
	return cmd
}

func printStatus(w io.Writer, s Status) {
	fmt.Fprintf(w, "replica: %s\n", s.Replica)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DATABASE\tLOCAL TXID\tREPLICA TXID\tPENDING\tLAG\tLAST CHANGE ON REPLICA\tERROR")
	for _, db := range s.Databases {
		last := "never"
		if db.LastSyncAt != nil {
			last = db.LastSyncAt.Local().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.1fs\t%s\t%s\n",
			db.Name, db.LocalTXID, db.ReplicaTXID, db.Pending, db.LagSeconds, last, db.Error)
	}
	tw.Flush()
}
