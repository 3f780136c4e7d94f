package replication_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"studyhall/collections"
)

// TestReplicateToS3 replicates to an S3-compatible store (gofakes3 on
// 127.0.0.1), configured the way an operator would: the bucket in the URL,
// credentials and the endpoint in the AWS SDK's environment variables; then
// kills the server and restores from the bucket.
func TestReplicateToS3(t *testing.T) {
	t.Parallel()
	backend := s3mem.New()
	if err := backend.CreateBucket("studyhall"); err != nil {
		t.Fatal(err)
	}
	store := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(store.Close)
	env := []string{
		"AWS_ACCESS_KEY_ID=drill", "AWS_SECRET_ACCESS_KEY=drill-secret",
		"AWS_ENDPOINT_URL=" + store.URL, "AWS_REGION=us-east-1",
		// Litestream's S3 client cannot use it (see newClient); the
		// store is plain HTTP anyway
		"AWS_CA_BUNDLE=",
	}
	replicaURL := "s3://studyhall/campus-a"

	root := t.TempDir()
	dataDir := filepath.Join(root, "pb_data")
	newDataDir(t, dataDir)
	srv := startServer(t, dataDir, replicaURL, env...)
	a := newAPI(srv.URL)
	su := signIn(t, a)
	instructor := createUsers(t, a, su, "s3-instructor", 1, true)[0]
	students := createUsers(t, a, su, "s3-student", 3, false)
	group := createGroup(t, a, su, instructor, 10)
	var written []string
	for i, s := range students {
		a.must(t, http.MethodPost, "/api/study-groups/"+group.Id+"/join", s.Token, map[string]any{}, nil)
		id, err := postMessage(a, s, group.ChatRoom, fmt.Sprintf("to the bucket %d", i))
		if err != nil {
			t.Fatal(err)
		}
		written = append(written, id)
	}
	waitInSync(t, a, su)
	srv.kill()

	keys := listKeys(t, backend, "studyhall")
	for _, db := range []string{"campus-a/data.db/", "campus-a/auxiliary.db/"} {
		if !slices.ContainsFunc(keys, func(k string) bool { return strings.HasPrefix(k, db) }) {
			t.Errorf("no object under %s in the bucket: %v", db, keys)
		}
	}

	restored := filepath.Join(root, "restored")
	if out, err := studyhallEnv(t, env, "restore", "--from", replicaURL, "--dir", restored); err != nil {
		t.Fatalf("restore from S3: %v\n%s", err, out)
	}
	have := queryIds(t, filepath.Join(restored, "data.db"), collections.ChatMessages)
	for _, id := range written {
		if !slices.Contains(have, id) {
			t.Errorf("message %s is missing from the restore", id)
		}
	}
}

func listKeys(t testing.TB, backend *s3mem.Backend, bucket string) []string {
	t.Helper()
	res, err := backend.ListBucket(bucket, &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range res.Contents {
		keys = append(keys, c.Key)
	}
	return keys
}
