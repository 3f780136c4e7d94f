// The driver of the Socket.IO peer: opens N socket.io-client connections
// to server.js, joins them all to one room, has the first one send
// MESSAGES messages at RATE per second (each acked by the server: the
// equivalent of studyhall's POST), and prints one JSON object with the
// delivery latencies and counts on stdout.
//
//   node client.js http://127.0.0.1:PORT N MESSAGES RATE DRAIN_MS
//
// Latency is measured as the Go bench measures it: from just before the
// send to the arrival of the message at each receiver, for the first
// delivery of each (message, receiver) pair; every pair must arrive
// exactly once. Everything is bounded: connecting by 60 s, the whole run
// by TOTAL_LIMIT_MS.
"use strict";

const { io } = require("socket.io-client");
const { performance } = require("node:perf_hooks");

const TOTAL_LIMIT_MS = 10 * 60 * 1000;
const CONNECT_LIMIT_MS = 60 * 1000;
const CONNECT_CONCURRENCY = 32;
const GRACE_AFTER_COMPLETE_MS = 300;

const [url, nText, messagesText, rateText, drainText] = process.argv.slice(2);
const n = Number(nText);
const messages = Number(messagesText);
const rate = Number(rateText);
const drainMs = Number(drainText || 10000);
if (!url || !url.startsWith("http://127.0.0.1:") || !(n > 0) || !(messages > 0) || !(rate > 0)) {
  console.error("usage: node client.js http://127.0.0.1:PORT N MESSAGES RATE [DRAIN_MS]");
  process.exit(2);
}
setTimeout(() => {
  console.error("client.js: time limit reached");
  process.exit(1);
}, TOTAL_LIMIT_MS).unref();

const room = "bench-room";
const sockets = [];
const counts = []; // counts[i][seq]
const firstAt = []; // firstAt[i][seq]
let firsts = 0;
const sentAt = new Array(messages).fill(0);
const ackMs = [];

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const rank = Math.min(Math.max(Math.ceil((p / 100) * sorted.length), 1), sorted.length);
  return sorted[rank - 1];
}

function summarize(samples) {
  const sorted = Float64Array.from(samples).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : 0,
  };
}

function connectOne(i) {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ["websocket"], reconnection: false, forceNew: true, timeout: 30000 });
    counts[i] = new Uint16Array(messages);
    firstAt[i] = new Float64Array(messages);
    socket.on("msg", (payload) => {
      const at = performance.now();
      const seq = payload && payload.seq;
      if (!Number.isInteger(seq) || seq < 0 || seq >= messages) return;
      counts[i][seq]++;
      if (counts[i][seq] === 1) {
        firstAt[i][seq] = at;
        firsts++;
      }
    });
    socket.once("connect_error", reject);
    socket.once("connect", () => {
      socket.emit("join", room, () => resolve(socket));
    });
    sockets[i] = socket;
  });
}

async function connectAll() {
  let next = 0;
  const workers = [];
  for (let w = 0; w < Math.min(CONNECT_CONCURRENCY, n); w++) {
    workers.push((async () => {
      while (next < n) {
        const i = next++;
        await connectOne(i);
      }
    })());
  }
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error("connecting took longer than 60 s")), CONNECT_LIMIT_MS);
  });
  await Promise.race([Promise.all(workers), limit]);
  clearTimeout(timer);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(ms, 0)));

async function main() {
  const connectStart = performance.now();
  await connectAll();
  const connectMs = performance.now() - connectStart;

  // one sender at a steady pace; a send never waits for the previous ack
  const sender = sockets[0];
  const interval = 1000 / rate;
  const start = performance.now();
  const acks = [];
  for (let seq = 0; seq < messages; seq++) {
    await sleep(start + seq * interval - performance.now());
    acks.push(new Promise((resolve) => {
      sentAt[seq] = performance.now();
      sender.emit("msg", room, { seq, body: "bench message #" + seq }, () => {
        ackMs[seq] = performance.now() - sentAt[seq];
        resolve();
      });
    }));
  }
  await Promise.race([Promise.all(acks), sleep(drainMs)]);

  const expected = n * messages;
  const deadline = performance.now() + drainMs;
  while (firsts < expected && performance.now() < deadline) await sleep(10);
  if (firsts === expected) await sleep(GRACE_AFTER_COMPLETE_MS);

  let held = 0;
  for (const s of sockets) if (s.connected) held++;
  for (const s of sockets) s.close();

  const latencies = [];
  let missing = 0;
  let dup = 0;
  for (let i = 0; i < n; i++) {
    for (let seq = 0; seq < messages; seq++) {
      const c = counts[i][seq];
      if (c === 0) missing++;
      if (c > 1) dup += c - 1;
      if (c > 0) latencies.push(firstAt[i][seq] - sentAt[seq]);
    }
  }
  const lat = summarize(latencies);
  const ack = summarize(ackMs.filter((v) => v !== undefined));
  process.stdout.write(JSON.stringify({
    n, messages, rate,
    expected, delivered: lat.count, missing, dup, held,
    latencyMs: lat, ackMs: ack, acked: ack.count, connectMs,
  }) + "\n");
  process.exit(0);
}

main().catch((err) => {
  console.error("client.js:", err && err.message ? err.message : err);
  process.exit(1);
});
