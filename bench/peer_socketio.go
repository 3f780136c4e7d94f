package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The Socket.IO peer of the chat scenario lives in bench/peers/socketio: a
// node server (server.js) and a node driver (client.js) that prints its
// measurement as one JSON line. This file installs its npm packages when
// node_modules is missing, runs both on loopback and turns the JSON into a
// table row.

// Bounds of the peer's life cycle.
const (
	npmInstallTimeout = 5 * time.Minute
	peerStartTimeout  = 30 * time.Second
	peerRunTimeout    = 10 * time.Minute
)

// socketIOVersion is what package.json pins, for the table.
const socketIOVersion = "4.8.4"

var npmOnce struct {
	sync.Once
	err error
}

// socketIOPeerDir is bench/peers/socketio of the checkout.
func socketIOPeerDir(ctx context.Context) (string, error) {
	root, err := FindRepoRoot(ctx)
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "bench", "peers", "socketio"), nil
}

// ensureNodeModules runs `npm ci` (or `npm install` without a lock file)
// once per run when node_modules is missing.
func ensureNodeModules(ctx context.Context, dir string) error {
	npmOnce.Do(func() {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "socket.io", "package.json")); err == nil {
			return
		}
		args := []string{"install", "--no-audit", "--no-fund"}
		if _, err := os.Stat(filepath.Join(dir, "package-lock.json")); err == nil {
			args[0] = "ci"
		}
		log.Printf("chat: npm %s in %s", args[0], dir)
		ctx, cancel := context.WithTimeout(ctx, npmInstallTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "npm", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			npmOnce.err = fmt.Errorf("npm %s: %w\n%s", args[0], err, out)
		}
	})
	return npmOnce.err
}

// socketIOResult is client.js's JSON line.
type socketIOResult struct {
	N         int `json:"n"`
	Expected  int `json:"expected"`
	Delivered int `json:"delivered"`
	Missing   int `json:"missing"`
	Dup       int `json:"dup"`
	Held      int `json:"held"`
	Acked     int `json:"acked"`
	LatencyMs struct {
		P50, P90, P99, Max float64
	} `json:"latencyMs"`
	AckMs struct {
		P50, P99 float64
	} `json:"ackMs"`
	ConnectMs float64 `json:"connectMs"`
}

// measureSocketIO starts server.js on a free loopback port, runs client.js
// with n connections and m messages at -chat-rate, and returns the row and
// the delivery p99.
func measureSocketIO(ctx context.Context, env *Env, n, m int) ([]string, time.Duration, error) {
	dir, err := socketIOPeerDir(ctx)
	if err != nil {
		return nil, 0, err
	}
	if _, err := exec.LookPath("node"); err != nil {
		return nil, 0, errors.New("node is not installed")
	}
	if err := ensureNodeModules(ctx, dir); err != nil {
		return nil, 0, err
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, 0, err
	}

	// the server stops when its stdin closes, when the bench dies
	// (parent-death signal) or after its own lifetime limit
	server := exec.Command("node", "server.js", addr)
	server.Dir = dir
	server.SysProcAttr = serverSysProcAttr()
	stdin, err := server.StdinPipe()
	if err != nil {
		return nil, 0, err
	}
	stdout, err := server.StdoutPipe()
	if err != nil {
		return nil, 0, err
	}
	server.Stderr = os.Stderr
	if err := server.Start(); err != nil {
		return nil, 0, fmt.Errorf("start server.js: %w", err)
	}
	exited := make(chan struct{})
	defer func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = server.Process.Kill()
			<-exited
		}
	}()
	ready := make(chan error, 2)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "listening ") {
				ready <- nil
			}
		}
		ready <- errors.New("server.js exited before listening")
		_ = server.Wait()
		close(exited)
	}()
	select {
	case err := <-ready:
		if err != nil {
			return nil, 0, err
		}
	case <-time.After(peerStartTimeout):
		return nil, 0, errors.New("server.js did not listen within 30 s")
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}

	log.Printf("chat Socket.IO N=%d: running client.js", n)
	runCtx, cancel := context.WithTimeout(ctx, peerRunTimeout)
	defer cancel()
	client := exec.CommandContext(runCtx, "node", "client.js", "http://"+addr,
		strconv.Itoa(n), strconv.Itoa(m), strconv.FormatFloat(*chatRate, 'f', -1, 64),
		strconv.FormatInt(env.Config.Drain.Milliseconds(), 10))
	client.Dir = dir
	client.Stderr = os.Stderr
	client.SysProcAttr = serverSysProcAttr()
	out, err := client.Output()
	if err != nil {
		return nil, 0, fmt.Errorf("client.js: %w", err)
	}
	var res socketIOResult
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, 0, fmt.Errorf("client.js output %q: %w", out, err)
	}
	if res.Missing > 0 || res.Dup > 0 || res.Held < n || res.Acked < m {
		env.Fail("chat Socket.IO N=%d: %d missing, %d duplicate deliveries of %d expected; %d/%d acked; %d/%d connections held",
			n, res.Missing, res.Dup, res.Expected, res.Acked, m, res.Held, n)
	}
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	log.Printf("chat Socket.IO N=%d: %d/%d delivered, p50 %s, p99 %s, ack p99 %s", n, res.Delivered, res.Expected,
		formatMillis(ms(res.LatencyMs.P50)), formatMillis(ms(res.LatencyMs.P99)), formatMillis(ms(res.AckMs.P99)))
	return []string{
		"Socket.IO " + socketIOVersion + " (node)", strconv.Itoa(n),
		fmt.Sprintf("%d/%d", res.Delivered, res.Expected), strconv.Itoa(res.Missing), strconv.Itoa(res.Dup),
		formatMillis(ms(res.LatencyMs.P50)), formatMillis(ms(res.LatencyMs.P90)), formatMillis(ms(res.LatencyMs.P99)), formatMillis(ms(res.LatencyMs.Max)),
		formatMillis(ms(res.AckMs.P50)), formatMillis(ms(res.AckMs.P99)), fmt.Sprintf("%g/s (target)", *chatRate),
		"n/a", "1.0×", "(peer)",
	}, ms(res.LatencyMs.P99), nil
}
