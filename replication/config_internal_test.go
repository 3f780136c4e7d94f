package replication

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/litestream/file"
	"github.com/benbjohnson/litestream/s3"
	"github.com/spf13/cobra"
)

func TestURLPrecedence(t *testing.T) {
	t.Setenv(EnvURL, "file:///from/env")
	root := &cobra.Command{Use: "studyhall"}
	cfg := BindFlags(root)
	if got := cfg.URL(); got != "file:///from/env" {
		t.Errorf("without the flag: %q, want the environment's", got)
	}
	if err := root.ParseFlags([]string{"--replicate", "file:///from/flag"}); err != nil {
		t.Fatal(err)
	}
	if got := cfg.URL(); got != "file:///from/flag" {
		t.Errorf("with the flag: %q, want the flag's", got)
	}
}

func TestNewClient(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000")
	t.Setenv("AWS_REGION", "eu-west-3")

	c, err := newClient("file:///var/backups/studyhall", "data.db")
	if err != nil {
		t.Fatal(err)
	}
	if fc, ok := c.(*file.ReplicaClient); !ok || fc.Path() != filepath.FromSlash("/var/backups/studyhall/data.db") {
		t.Errorf("file client %#v", c)
	}

	c, err = newClient("s3://bucket/campus/a", "auxiliary.db")
	if err != nil {
		t.Fatal(err)
	}
	sc := c.(*s3.ReplicaClient)
	if sc.Bucket != "bucket" || sc.Path != "campus/a/auxiliary.db" || sc.Endpoint != "http://127.0.0.1:9000" || !sc.ForcePathStyle || sc.Region != "eu-west-3" {
		t.Errorf("s3 client from the environment: %+v", sc)
	}

	// the URL's own endpoint wins over the environment
	c, err = newClient("s3://bucket?endpoint=http://minio.internal:9000&region=garage", "data.db")
	if err != nil {
		t.Fatal(err)
	}
	if sc := c.(*s3.ReplicaClient); sc.Path != "data.db" || sc.Endpoint != "http://minio.internal:9000" || sc.Region != "garage" {
		t.Errorf("s3 client from the URL: %+v", sc)
	}

	t.Setenv("AWS_CA_BUNDLE", "/etc/ssl/bundle.pem")
	if _, err := newClient("s3://bucket", "data.db"); err == nil || !strings.Contains(err.Error(), "SSL_CERT_FILE") {
		t.Errorf("with AWS_CA_BUNDLE: %v", err)
	}

	for _, bad := range []string{"file://relative/path", "file:relative", "s3:///path", "gs://bucket", "/var/backups", ""} {
		if _, err := newClient(bad, "data.db"); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestRedact(t *testing.T) {
	got := Redact("s3://key:secret@bucket/path?endpoint=http://x:9000&sseCustomerKey=abc")
	if strings.Contains(got, "secret") || strings.Contains(got, "abc") || !strings.Contains(got, "endpoint=http") {
		t.Errorf("Redact: %s", got)
	}
}

func TestFillLag(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	for i, name := range []string{"0000000000000004-0000000000000004.ltx", "0000000000000005-0000000000000005.ltx", "0000000000000006-0000000000000006.ltx"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		at := now.Add(time.Duration(-30+10*i) * time.Second) // 4: -30 s, 5: -20 s, 6: -10 s
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
	}
	s := DBStatus{LocalTXID: 6, ReplicaTXID: 4}
	s.fillLag(dir, now)
	if s.InSync || s.Pending != 2 || s.LagSeconds < 19.9 || s.LagSeconds > 20.1 {
		t.Errorf("two pending, the oldest staged 20 s ago: %+v", s)
	}
	s = DBStatus{LocalTXID: 6, ReplicaTXID: 6}
	s.fillLag(dir, now)
	if !s.InSync || s.Pending != 0 || s.LagSeconds != 0 {
		t.Errorf("in sync: %+v", s)
	}
}
