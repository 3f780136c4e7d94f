package main

import (
	"bufio"
	"context"
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

// The Socket.IO peer of the chat and lecture scenarios is a node server,
// bench/peers/socketio/server.js. This file installs its npm package when
// node_modules is missing, runs it on loopback and drives it with this
// process's own Socket.IO connections (socketio.go), on the same schedule
// and with the same clocks as studyhall's SSE receivers.

// Bounds of the peer's life cycle.
const (
	npmInstallTimeout = 5 * time.Minute
	peerStartTimeout  = 30 * time.Second
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

// socketIOPeer is a running server.js.
type socketIOPeer struct {
	addr string
	pid  int
	stop func()
}

// startSocketIOPeer starts server.js on a free loopback port; stop ends it.
func startSocketIOPeer(ctx context.Context) (*socketIOPeer, error) {
	dir, err := socketIOPeerDir(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("node"); err != nil {
		return nil, errors.New("node is not installed")
	}
	if err := ensureNodeModules(ctx, dir); err != nil {
		return nil, err
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}

	// the server stops when its stdin closes, when the bench dies
	// (parent-death signal) or after its own lifetime limit
	server := exec.Command("node", "server.js", addr)
	server.Dir = dir
	server.SysProcAttr = serverSysProcAttr()
	stdin, err := server.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := server.StdoutPipe()
	if err != nil {
		return nil, err
	}
	server.Stderr = os.Stderr
	if err := server.Start(); err != nil {
		return nil, fmt.Errorf("start server.js: %w", err)
	}
	exited := make(chan struct{})
	stop := func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = server.Process.Kill()
			<-exited
		}
	}
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
			stop()
			return nil, err
		}
	case <-time.After(peerStartTimeout):
		stop()
		return nil, errors.New("server.js did not listen within 30 s")
	case <-ctx.Done():
		stop()
		return nil, ctx.Err()
	}
	return &socketIOPeer{addr: addr, pid: server.Process.Pid, stop: stop}, nil
}

func (p *socketIOPeer) cpu() time.Duration {
	cpu, err := readCPU(p.pid)
	if err != nil {
		return -1
	}
	return cpu
}

func (p *socketIOPeer) rss() int64 {
	rss, err := readRSS(p.pid)
	if err != nil {
		return -1
	}
	return rss
}

// peerPayload is what a Socket.IO sender emits: the shape and size of
// the event studyhall sends for a chat message ({"action","record"}), so
// that both servers move the same bytes.
func peerPayload(tag string, seq int) map[string]any {
	return map[string]any{
		"action": "create",
		"record": map[string]any{
			"collectionId":   "pbc_2606224150",
			"collectionName": "chat_messages",
			"id":             fmt.Sprintf("m%014d", seq),
			"room":           "benchroom000001",
			"sender":         "benchsender0001",
			"body":           tag + "#" + strconv.Itoa(seq),
			"replyTo":        "",
			"editedAt":       "",
			"deletedAt":      "",
			"created":        "2026-12-06 20:00:00.000Z",
			"updated":        "2026-12-06 20:00:00.000Z",
		},
	}
}

// measureSocketIO measures the peer under load: n Socket.IO receivers
// joined to one room, the senders among them emitting the messages on
// studyhall's schedule, each waiting for its previous ack.
func measureSocketIO(ctx context.Context, env *Env, load roomLoad) (roomResult, error) {
	label := fmt.Sprintf("Socket.IO N=%d", load.n)
	res := roomResult{label: "Socket.IO " + socketIOVersion + " (node)", load: load, rssBefore: -1, rssAfter: -1}
	peer, err := startSocketIOPeer(ctx)
	if err != nil {
		return res, err
	}
	defer peer.stop()

	tag := fmt.Sprintf("sio-%d", chatCase.Add(1))
	recv := newDeliveries(load.n, load.total())
	conns := make([]*sioConn, load.n)
	defer func() {
		_ = forEach(context.Background(), len(conns), env.Config.Workers, func(_ context.Context, i int) error {
			if conns[i] != nil {
				conns[i].Close()
			}
			return nil
		})
	}()
	log.Printf("%s: connecting", label)
	res.rssBefore = peer.rss()
	start := time.Now()
	const room = "bench-room"
	err = forEach(ctx, load.n, env.Config.Workers, func(workerCtx context.Context, i int) error {
		conn, err := dialSocketIO(workerCtx, peer.addr, env.Config.DialTimeout, func(ev sioEvent) {
			if ev.Name != "msg" {
				return
			}
			if seq, ok := eventSeq(ev.Packet, tag); ok {
				recv.Add(i, seq, ev.At)
			}
		})
		if err != nil {
			return fmt.Errorf("%s: connection %d: %w", label, i, err)
		}
		conns[i] = conn
		return conn.Emit(workerCtx, "join", room)
	})
	if err != nil {
		return res, err
	}
	res.rssAfter = peer.rss()
	log.Printf("%s: %d connections joined in %s", label, load.n, time.Since(start).Round(time.Millisecond))
	if err := sleepUntil(ctx, time.Now().Add(caseSettle)); err != nil {
		return res, err
	}

	cpuBefore := peer.cpu()
	sent, took, failed, firstErr := sendSchedule(ctx, load, func(ctx context.Context, k, seq int) error {
		return conns[k].Emit(ctx, "msg", room, peerPayload(tag, seq))
	})
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if firstErr != nil {
		env.Fail("%s: emits failed (first: %v)", label, firstErr)
	}
	if err := collectRoom(ctx, env, &res, recv, sent, took, failed, peer.cpu, cpuBefore); err != nil {
		return res, err
	}
	for _, c := range conns {
		if c != nil && c.Alive() {
			res.held++
		}
	}
	// the readers stop before the deliveries are counted
	_ = forEach(context.Background(), len(conns), env.Config.Workers, func(_ context.Context, i int) error {
		if conns[i] != nil {
			conns[i].Close()
			conns[i] = nil
		}
		return nil
	})
	countRoom(&res, recv, sent, failed)
	if res.missing > 0 || res.dups > 0 || res.held < load.n {
		env.Fail("%s: %d missing, %d duplicate deliveries; %d/%d connections held", label, res.missing, res.dups, res.held, load.n)
	}
	log.Printf("%s: %d/%d delivered, p50 %s, p99 %s, ack p99 %s, CPU/event %s", label, res.delivered, res.expected,
		formatMillis(res.lat.P50), formatMillis(res.lat.P99), formatMillis(res.post.P99), formatMicros(res.cpuPerEvent()))
	return res, nil
}
