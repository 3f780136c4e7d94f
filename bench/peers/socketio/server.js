// The Socket.IO peer of studyhall's chat bench: a bare broadcast server
// with no persistence and no auth. A client joins a room ("join", acked)
// and sends a message to it ("msg", acked once the broadcast is handed to
// the sockets); every socket of the room, the sender's included, gets it.
//
//   node server.js 127.0.0.1:PORT
//
// It prints "listening <addr>" once it accepts connections, listens on
// loopback only, and exits by itself when its standard input closes (the
// bench went away) or after MAX_LIFETIME_MS.
"use strict";

const http = require("node:http");
const { Server } = require("socket.io");

const MAX_LIFETIME_MS = 30 * 60 * 1000;

const addr = process.argv[2] || "127.0.0.1:0";
const [host, portText] = addr.split(":");
if (host !== "127.0.0.1") {
  console.error("server.js listens on 127.0.0.1 only");
  process.exit(2);
}

const httpServer = http.createServer();
const io = new Server(httpServer, {
  serveClient: false,
  // the bench's clients speak WebSocket only, as browsers end up doing
  transports: ["websocket"],
  maxHttpBufferSize: 1e6,
});

io.on("connection", (socket) => {
  socket.on("join", (room, ack) => {
    socket.join(String(room));
    if (typeof ack === "function") ack();
  });
  socket.on("msg", (room, payload, ack) => {
    io.to(String(room)).emit("msg", payload);
    if (typeof ack === "function") ack();
  });
});

httpServer.listen(Number(portText), host, () => {
  const a = httpServer.address();
  console.log(`listening ${a.address}:${a.port}`);
});

const stop = () => {
  io.close();
  process.exit(0);
};
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
setTimeout(stop, MAX_LIFETIME_MS).unref();
