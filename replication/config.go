// Package replication streams studyhall's SQLite databases to a replica
// with Litestream, used as a library inside the one binary: it starts with
// `studyhall serve --replicate URL`, stops with the server, reports its lag
// to superusers, and restores a data directory from the replica
// (`studyhall restore`).
//
// PocketBase keeps opening its databases as before (its pool, its pragmas,
// main.go's statement cache): Litestream opens its own connection beside
// them through the same modernc.org/sqlite driver, holds a read transaction
// so that nobody else restarts the WAL before it has copied the new frames,
// and checkpoints the WAL itself. The replica is written by a goroutine of
// its own, so a slow or unreachable replica never holds up a request: the
// changes wait in pb_data/.<db>-litestream/ and go out when it is back.
package replication

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"
	"github.com/benbjohnson/litestream/s3"
	"github.com/spf13/cobra"
)

// EnvURL is the environment variable that sets the replica URL when the
// --replicate flag is not given.
const EnvURL = "STUDYHALL_REPLICATE"

// Databases are the SQLite files of a PocketBase data directory, each
// replicated to a folder of the same name under the replica URL.
var Databases = []string{"data.db", "auxiliary.db"}

// Config holds the replica URL of the command line.
type Config struct {
	flag string
}

// BindFlags adds the persistent --replicate flag to root and returns the
// Config that reads it.
func BindFlags(root *cobra.Command) *Config {
	c := &Config{}
	root.PersistentFlags().StringVar(&c.flag, "replicate", "",
		"stream data.db and auxiliary.db to this replica: file:///path or s3://bucket/path (default $"+EnvURL+")")
	return c
}

// URL is the replica URL: the --replicate flag if given, else
// $STUDYHALL_REPLICATE, else empty (no replication).
func (c *Config) URL() string {
	if c != nil && c.flag != "" {
		return c.flag
	}
	return os.Getenv(EnvURL)
}

// checkURL accepts the replica URLs studyhall supports: file:// with an
// absolute path and s3://bucket[/path][?endpoint=...].
func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("replica URL %q: %w", raw, err)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("replica URL %q: a file URL needs an absolute path, as in file:///var/backups/studyhall", raw)
		}
		if !filepath.IsAbs(u.Path) {
			return nil, fmt.Errorf("replica URL %q: the path must be absolute, as in file:///var/backups/studyhall", raw)
		}
	case "s3":
		if u.Host == "" {
			return nil, fmt.Errorf("replica URL %q: the bucket is missing, as in s3://bucket/studyhall", raw)
		}
	default:
		return nil, fmt.Errorf("replica URL %q: use file:///path or s3://bucket/path", raw)
	}
	return u, nil
}

// newClient returns the Litestream client of database name under the
// replica URL raw: file:///backups/sh → /backups/sh/data.db,
// s3://bucket/sh → s3://bucket/sh/data.db.
//
// For S3, credentials come from AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY (or the AWS SDK's usual chain: profile, instance
// role), the region from the URL's ?region=, AWS_REGION or
// AWS_DEFAULT_REGION, and an S3-compatible endpoint from the URL's
// ?endpoint=, LITESTREAM_S3_ENDPOINT, AWS_ENDPOINT_URL_S3 or
// AWS_ENDPOINT_URL.
func newClient(raw, name string) (litestream.ReplicaClient, error) {
	u, err := checkURL(raw)
	if err != nil {
		return nil, err
	}
	switch u.Scheme {
	case "file":
		return file.NewReplicaClient(filepath.Join(u.Path, name)), nil
	default:
		// Litestream gives the AWS SDK an HTTP client of its own, to which
		// the SDK cannot add AWS_CA_BUNDLE's roots: every call would fail
		if os.Getenv("AWS_CA_BUNDLE") != "" {
			return nil, errors.New("AWS_CA_BUNDLE is set, which Litestream's S3 client cannot use: unset it and name the bundle in SSL_CERT_FILE instead")
		}
		u.Path = "/" + path.Join(strings.TrimPrefix(u.Path, "/"), name)
		client, err := litestream.NewReplicaClientFromURL(u.String())
		if err != nil {
			return nil, fmt.Errorf("replica URL %q: %w", raw, err)
		}
		c, ok := client.(*s3.ReplicaClient)
		if !ok {
			return nil, errors.New("replica URL: not an S3 client")
		}
		applyAWSEnv(c)
		return c, nil
	}
}

// applyAWSEnv fills in what Litestream's S3 client reads only from its own
// variables: the region (else it asks AWS for the bucket's region, which an
// S3-compatible store cannot answer) and the AWS SDK's endpoint variables.
func applyAWSEnv(c *s3.ReplicaClient) {
	if c.Endpoint == "" {
		for _, name := range []string{"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"} {
			if v := os.Getenv(name); v != "" {
				c.Endpoint, _ = litestream.EnsureEndpointScheme(v)
				c.ForcePathStyle = true
				break
			}
		}
	}
	if c.Region == "" {
		for _, name := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
			if v := os.Getenv(name); v != "" {
				c.Region = v
				break
			}
		}
	}
}

// Redact is the replica URL without credentials or query values, for logs
// and status output.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	u.User = nil
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if k != "endpoint" && k != "region" {
				q.Set(k, "redacted")
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}
