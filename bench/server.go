package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Timeouts of the server's life cycle. The build is the slow one: on a
// shared machine with a cold cache it compiles PocketBase and SQLite.
const (
	buildTimeout   = 10 * time.Minute
	upsertTimeout  = 1 * time.Minute
	healthTimeout  = 1 * time.Minute
	stopGrace      = 10 * time.Second
	healthInterval = 100 * time.Millisecond
)

// ServerOptions says which checkout to build and which superuser to create.
type ServerOptions struct {
	// RepoRoot is the directory holding studyhall's go.mod.
	RepoRoot          string
	SuperuserEmail    string
	SuperuserPassword string
	// Env is added to the environment of every studyhall command the
	// bench runs ("KEY=value", such as GOMAXPROCS=1).
	Env []string
}

// Server is a studyhall process built from the checkout and started the
// normal way (`studyhall serve`) on a loopback port, with a data directory
// of its own that is deleted on Stop.
type Server struct {
	// URL is the base URL, such as http://127.0.0.1:41234.
	URL string
	// Root is the temporary directory holding bin/, data/, tmp/ and
	// server.log.
	Root string

	bin      string
	env      []string
	dataDir  string
	logPath  string
	logFile  *os.File
	cmd      *exec.Cmd
	exited   chan struct{}
	exitErr  error
	stopOnce sync.Once
	stopErr  error
}

// StartServer builds studyhall, creates the superuser, starts `serve` and
// waits until /api/health answers. On error everything it started is
// stopped and removed again.
func StartServer(ctx context.Context, opts ServerOptions) (_ *Server, err error) {
	root, err := os.MkdirTemp("", "studyhall-bench-")
	if err != nil {
		return nil, fmt.Errorf("create temp dir: %w", err)
	}
	s := &Server{
		Root:    root,
		bin:     filepath.Join(root, "bin", "studyhall"),
		dataDir: filepath.Join(root, "data"),
		logPath: filepath.Join(root, "server.log"),
		env:     opts.Env,
	}
	defer func() {
		if err != nil {
			if tail := s.LogTail(20); tail != "" {
				err = fmt.Errorf("%w\nlast lines of the server log:\n%s", err, tail)
			}
			s.Stop()
		}
	}()
	for _, dir := range []string{filepath.Dir(s.bin), s.dataDir, s.tmpDir()} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}

	if err := s.build(ctx, opts.RepoRoot); err != nil {
		return nil, err
	}
	if err := s.upsertSuperuser(ctx, opts.SuperuserEmail, opts.SuperuserPassword); err != nil {
		return nil, err
	}
	if err := s.serve(opts.RepoRoot); err != nil {
		return nil, err
	}
	if err := s.waitHealthy(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// FindRepoRoot returns the directory of the go.mod that `go` sees from the
// working directory, so that `go run ./bench` works from the repository
// root and from bench/ alike.
func FindRepoRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the studyhall module: run from the repository")
	}
	return filepath.Dir(gomod), nil
}

func (s *Server) build(ctx context.Context, repoRoot string) error {
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", s.bin, ".")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	return nil
}

func (s *Server) upsertSuperuser(ctx context.Context, email, password string) error {
	ctx, cancel := context.WithTimeout(ctx, upsertTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, "superuser", "upsert", email, password, "--dir", s.dataDir)
	s.prepare(cmd)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("studyhall superuser upsert: %w\n%s", err, out)
	}
	return nil
}

func (s *Server) serve(repoRoot string) error {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return err
	}
	s.URL = "http://" + addr

	s.logFile, err = os.Create(s.logPath)
	if err != nil {
		return err
	}
	// not CommandContext: on cancellation Stop ends the server gracefully
	// rather than with the SIGKILL CommandContext would send
	s.cmd = exec.Command(s.bin, "serve",
		"--http", addr,
		"--dir", s.dataDir,
		"--publicDir", filepath.Join(repoRoot, "pb_public"),
	)
	s.prepare(s.cmd)
	s.cmd.Stdout = s.logFile
	s.cmd.Stderr = s.logFile
	s.cmd.SysProcAttr = serverSysProcAttr()
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start studyhall serve: %w", err)
	}
	s.exited = make(chan struct{})
	go func() {
		s.exitErr = s.cmd.Wait()
		close(s.exited)
	}()
	return nil
}

// prepare runs a studyhall command from the temporary root with TMPDIR
// inside it. Both matter: main.go turns PocketBase's automigrate on when the
// binary looks like `go run` (it lies under os.TempDir()), and automigrate
// writes a migration file into ./migrations for every collection the bench
// creates. With TMPDIR moved the binary no longer looks like `go run`, and
// with the working directory moved nothing could reach the checkout anyway.
func (s *Server) prepare(cmd *exec.Cmd) {
	cmd.Dir = s.Root
	cmd.Env = append(append(os.Environ(), s.env...), "TMPDIR="+s.tmpDir())
}

// Getenv is the value of key in the server's environment.
func (s *Server) Getenv(key string) string {
	for _, kv := range slices.Backward(s.env) {
		if k, v, _ := strings.Cut(kv, "="); k == key {
			return v
		}
	}
	return os.Getenv(key)
}

func (s *Server) tmpDir() string {
	return filepath.Join(s.Root, "tmp")
}

func (s *Server) waitHealthy(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	ticker := time.NewTicker(healthInterval)
	defer ticker.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/api/health", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("studyhall serve exited before it was healthy: %v", s.exitErr)
		case <-ctx.Done():
			return fmt.Errorf("studyhall serve not healthy at %s: %w", s.URL, ctx.Err())
		case <-ticker.C:
		}
	}
}

// Pid is the process id of the server, 0 before it started.
func (s *Server) Pid() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// RSS is the server's resident set size in bytes, read from /proc.
func (s *Server) RSS() (int64, error) {
	if s.Pid() == 0 {
		return 0, errors.New("server not started")
	}
	return readRSS(s.Pid())
}

// CPU is the user plus system CPU time the server has used so far.
func (s *Server) CPU() (time.Duration, error) {
	if s.Pid() == 0 {
		return 0, errors.New("server not started")
	}
	return readCPU(s.Pid())
}

// Running reports whether the server process is still alive.
func (s *Server) Running() bool {
	if s.exited == nil {
		return false
	}
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// Stop ends the server (SIGTERM, then SIGKILL after a grace period) and
// removes its temporary directory. It is safe to call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		if s.exited != nil {
			_ = s.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-s.exited:
			case <-time.After(stopGrace):
				_ = s.cmd.Process.Kill()
				<-s.exited
			}
		}
		if s.logFile != nil {
			s.logFile.Close()
		}
		s.stopErr = os.RemoveAll(s.Root)
	})
	return s.stopErr
}

// LogTail returns the last n lines of the server's output, for error
// messages.
func (s *Server) LogTail(n int) string {
	data, err := os.ReadFile(s.logPath)
	if err != nil {
		return ""
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// freeLoopbackAddr asks the kernel for a free port on 127.0.0.1. The port
// is released before the server binds it; if another process takes it in
// between, the server exits and waitHealthy reports it.
func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}
