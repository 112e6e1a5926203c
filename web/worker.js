// offhunt's Web Worker: runs the Go core (compiled to WebAssembly) off the
// page's thread.
//
// Protocol. The page sends {id, type, ...}; the worker answers
// {id, ok: true, result} or {id, ok: false, error}, and while the work runs
// {id, type: "progress", progress}. The first message is
// {id: 0, type: "init", module} with the compiled WebAssembly.Module (or its
// bytes); the worker answers {id: 0, type: "ready", ok, result | error} once
// the Go runtime has started. Messages that arrive before that are queued
// and run in order afterwards. Every answer carries `memory`, the size of
// the WebAssembly memory in bytes (it only grows, so it is the peak).
// Files are read by a second instance of this file, the reader, which
// the page starts beside the engine and joins to it with a MessageChannel:
// the page sends the engine {type: "port", port} and the reader {type:
// "reader", port} before anything else. Over the port the engine sends
// {type: "read", read, blob, start, end, key, after} and the reader
// answers {type: "chunk", read, buffer | error}, the buffer transferred,
// not copied (offhuntRead below says why); {type: "digest", read, key, n}
// gets the file's SHA-256 the same way. The reader hashes each file as it
// reads it (SHA256 below says why).
//
// Served, this file loads wasm_exec.js (Go's support code) beside it; in
// the single offline file, the two arrive concatenated and Go is defined.
"use strict";

if (typeof Go === "undefined") {
  importScripts("wasm_exec.js");
}

let core = null; // offhuntCore, set by the Go program once it runs
let memory = null; // the module's exported memory
const queue = [];

function memoryBytes() {
  return memory ? memory.buffer.byteLength : 0;
}

// errorValue keeps the core's error objects ({message, kind, line, col,
// ...}) as they are and turns a JavaScript exception into one.
function errorValue(err) {
  if (err instanceof Error) {
    return { message: err.name + ": " + err.message, kind: "internal" };
  }
  if (err && typeof err === "object") {
    return err;
  }
  return { message: String(err), kind: "error" };
}

function fail(id, err) {
  postMessage({ id, ok: false, error: errorValue(err), memory: memoryBytes() });
}

// offhuntReady is called by the Go program when its API is registered.
self.offhuntReady = function (info) {
  core = self.offhuntCore;
  postMessage({ id: 0, type: "ready", ok: true, result: { version: info && info.version }, memory: memoryBytes() });
  for (const m of queue.splice(0)) {
    dispatch(m);
  }
};

async function init(msg) {
  try {
    const go = new Go();
    let instance;
    if (msg.module instanceof WebAssembly.Module) {
      instance = await WebAssembly.instantiate(msg.module, go.importObject);
    } else {
      instance = (await WebAssembly.instantiate(msg.module, go.importObject)).instance;
    }
    memory = instance.exports.mem;
    go.run(instance).then(
      () => postMessage({ id: 0, type: "exit", ok: false, error: { message: "the engine stopped", kind: "internal" } }),
      (err) => postMessage({ id: 0, type: "exit", ok: false, error: { message: "the engine stopped: " + err, kind: "internal" } }),
    );
  } catch (err) {
    postMessage({ id: 0, type: "ready", ok: false, error: { message: "could not start the engine: " + err, kind: "internal" } });
  }
}

function dispatch(msg) {
  const id = msg.id;
  let answer;
  try {
    answer = core.handle(msg, (progress) => {
      progress.memory = memoryBytes();
      postMessage({ id, type: "progress", progress });
    });
  } catch (err) {
    fail(id, err);
    return;
  }
  Promise.resolve(answer).then(
    (result) => postMessage({ id, ok: true, result, memory: memoryBytes() }),
    (err) => fail(id, err),
  );
}

// offhuntRead(blob, start, end, key, stream) is how the Go program reads a
// file: it asks the reader worker, whose thread is idle but for hashing,
// for the bytes [start, end) and gets a promise of them as an ArrayBuffer.
// A browser moves a File's bytes only while the reading thread is idle, so
// a read made here would wait for the scan instead of running beside it.
//
// A Go reader (stream) asks for its next pieces before it needs them, and
// the reader worker hands each one over only after the one before (after):
// it hashes a file in order, and the Go reader takes them in order anyway.
const reads = new Map();
let nextRead = 1;
const lastReadOf = new Map(); // stream -> its last read's number
self.offhuntRead = function (blob, start, end, key, stream) {
  const msg = { type: "read", blob, start, end, key, after: lastReadOf.get(stream) || 0 };
  const p = askReader(msg);
  if (end < blob.size) lastReadOf.set(stream, msg.read);
  else lastReadOf.delete(stream);
  return p;
};

// offhuntDigest(key, n) asks the reader worker for the SHA-256 of the file
// it reads under key, once its n bytes have all been read: it hashes a
// file as it reads it, on its own thread (see SHA256 below).
self.offhuntDigest = function (key, n) {
  return askReader({ type: "digest", key, n });
};

// askReader sends the reader worker a request numbered `read`; settleRead
// settles its promise with the {type: "chunk"} answer.
let readerPort = null; // the MessageChannel port to the reader worker
function askReader(msg) {
  const read = nextRead++;
  return new Promise((resolve, reject) => {
    if (!readerPort) {
      reject(new Error("the engine has no reader (the page did not join one)"));
      return;
    }
    reads.set(read, { resolve, reject });
    readerPort.postMessage(Object.assign(msg, { read }));
  });
}

function settleRead(msg) {
  const r = reads.get(msg.read);
  if (!r) {
    return;
  }
  reads.delete(msg.read);
  if (msg.buffer) {
    r.resolve(msg.buffer);
  } else {
    const err = new Error((msg.error && msg.error.message) || "the file could not be read");
    err.name = (msg.error && msg.error.name) || "Error";
    r.reject(err);
  }
}

// ------------------------------------------------------------- sha-256

// SHA256 is FIPS 180-4 SHA-256 over bytes given in pieces. Go compiled to
// WebAssembly has no SHA instructions, and hashing in the engine was a
// fifth of a scan's time: the reader worker hashes each file as it reads
// it for the engine. Written here because the
// browser's crypto.subtle.digest takes a whole buffer, never pieces, and a
// file may be larger than memory (and Chromium's is no faster: 75 MiB in
// 0.32 s, 247 MB/s, against 205 MB/s here).
const SHA256_K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

class SHA256 {
  constructor() {
    this.h = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    this.w = new Int32Array(64);
    this.buf = new Uint8Array(64); // a partial block
    this.bufLen = 0;
    this.len = 0; // bytes hashed
  }

  update(data) {
    const n = data.length;
    let pos = 0;
    this.len += n;
    if (this.bufLen > 0) {
      const take = Math.min(64 - this.bufLen, n);
      this.buf.set(data.subarray(0, take), this.bufLen);
      this.bufLen += take;
      pos = take;
      if (this.bufLen < 64) return;
      sha256Blocks(this.h, this.w, this.buf, 0, 64);
      this.bufLen = 0;
    }
    const whole = pos + ((n - pos) & ~63);
    if (whole > pos) sha256Blocks(this.h, this.w, data, pos, whole);
    pos = whole;
    if (pos < n) {
      this.buf.set(data.subarray(pos), 0);
      this.bufLen = n - pos;
    }
  }

  // digest ends the hash and returns its 32 bytes.
  digest() {
    const len = this.len;
    const pad = new Uint8Array((this.bufLen < 56 ? 56 : 120) - this.bufLen + 8);
    pad[0] = 0x80;
    const dv = new DataView(pad.buffer);
    dv.setUint32(pad.length - 8, Math.floor(len / 0x20000000) >>> 0); // the length in bits, high word
    dv.setUint32(pad.length - 4, (len * 8) >>> 0);
    this.update(pad);
    const out = new Uint8Array(32);
    const ov = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) ov.setInt32(4 * i, this.h[i]);
    return out;
  }
}

// sha256Blocks runs the compression function over p[off:end] (whole
// 64-byte blocks): the state stays in locals from block to block, and
// the rounds go eight at a time with the eight variables' roles
// rotating, so that no round moves them (Node: 175 MB/s with a method
// call per block and the variables shifted each round, 205 MB/s so).
function sha256Blocks(H, w, p, off, end) {
  const K = SHA256_K;
  let h0 = H[0], h1 = H[1], h2 = H[2], h3 = H[3], h4 = H[4], h5 = H[5], h6 = H[6], h7 = H[7];
  for (; off < end; off += 64) {
    for (let i = 0, j = off; i < 16; i++, j += 4) w[i] = (p[j] << 24) | (p[j + 1] << 16) | (p[j + 2] << 8) | p[j + 3];
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15], y = w[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let t = 0, a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let i = 0; i < 64; i += 8) {
      t = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K[i + 0] + w[i + 0]) | 0;
      d = (d + t) | 0;
      h = (t + (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      t = (g + (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) + ((d & e) ^ (~d & f)) + K[i + 1] + w[i + 1]) | 0;
      c = (c + t) | 0;
      g = (t + (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) + ((h & a) ^ (h & b) ^ (a & b))) | 0;
      t = (f + (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) + ((c & d) ^ (~c & e)) + K[i + 2] + w[i + 2]) | 0;
      b = (b + t) | 0;
      f = (t + (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) + ((g & h) ^ (g & a) ^ (h & a))) | 0;
      t = (e + (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) + ((b & c) ^ (~b & d)) + K[i + 3] + w[i + 3]) | 0;
      a = (a + t) | 0;
      e = (t + (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & g) ^ (f & h) ^ (g & h))) | 0;
      t = (d + (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) + ((a & b) ^ (~a & c)) + K[i + 4] + w[i + 4]) | 0;
      h = (h + t) | 0;
      d = (t + (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) + ((e & f) ^ (e & g) ^ (f & g))) | 0;
      t = (c + (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) + ((h & a) ^ (~h & b)) + K[i + 5] + w[i + 5]) | 0;
      g = (g + t) | 0;
      c = (t + (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) + ((d & e) ^ (d & f) ^ (e & f))) | 0;
      t = (b + (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) + ((g & h) ^ (~g & a)) + K[i + 6] + w[i + 6]) | 0;
      f = (f + t) | 0;
      b = (t + (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) + ((c & d) ^ (c & e) ^ (d & e))) | 0;
      t = (a + (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) + ((f & g) ^ (~f & h)) + K[i + 7] + w[i + 7]) | 0;
      e = (e + t) | 0;
      a = (t + (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) + ((b & c) ^ (b & d) ^ (c & d))) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  H[0] = h0;
  H[1] = h1;
  H[2] = h2;
  H[3] = h3;
  H[4] = h4;
  H[5] = h5;
  H[6] = h6;
  H[7] = h7;
}

// warmSHA256 hashes a few MiB of zeros in small steps when the reader
// starts (the engine warms up for seconds after load), so that the first
// scan's hashing runs optimised code: measured in Chromium, the first 2
// MiB a fresh page hashed took 83 ms, 21 ms once warm.
const warmHashSteps = 16;
const warmHashStep = 256 << 10;
function warmSHA256() {
  const sha = new SHA256();
  const zeros = new Uint8Array(warmHashStep);
  let step = 0;
  const next = () => {
    sha.update(zeros);
    if (++step < warmHashSteps) setTimeout(next, 0);
    else sha.digest();
  };
  setTimeout(next, 0);
}


// ------------------------------------------------------------- the reader
// The reader's side of the protocol (see the top). Each read of a file is
// hashed and handed over after the same Go reader's read before it
// (msg.after), so that a file is hashed, and given to the engine, in file
// order whatever order the browser's reads finish in. The engine asks for
// pieces well ahead of its reading, so the hash seldom holds it up;
// hashing a copy after the handover instead kept the engine waiting 0.49 s
// instead of 0.56 s of a 75 MB scan, but made a 749 MB scan 20% slower
// (the copies' cost, on two cores). A piece already hashed (a second
// pass over a file) is passed over by the hash, and the digest answers
// once the whole file has been hashed.
const files = new Map(); // key -> {sha, upTo}; keys are "run/file"
const handovers = new Map(); // read number -> the promise of its handover

function readPiece(port, msg) {
  const bytes = msg.blob.slice(msg.start, msg.end).arrayBuffer();
  const before = handovers.get(msg.after) || Promise.resolve();
  handovers.delete(msg.after);
  const done = before.then(() => bytes).then(
    (buffer) => {
      hashPiece(msg.key, msg.start, new Uint8Array(buffer));
      port.postMessage({ type: "chunk", read: msg.read, buffer }, [buffer]);
    },
    (err) => {
      const error = { name: (err && err.name) || "Error", message: String((err && err.message) || err) };
      port.postMessage({ type: "chunk", read: msg.read, error });
    },
  );
  if (msg.end < msg.blob.size) handovers.set(msg.read, done);
}

function hashPiece(key, start, bytes) {
  if (!key) return;
  let f = files.get(key);
  if (!f) {
    // A new run's files replace the last run's.
    const run = key.split("/")[0];
    for (const k of files.keys()) if (k.split("/")[0] !== run) files.delete(k);
    f = { sha: new SHA256(), upTo: 0 };
    files.set(key, f);
  }
  const end = start + bytes.length;
  if (start > f.upTo || end <= f.upTo) return; // not next (digest then fails, never guesses) or hashed already
  f.sha.update(bytes.subarray(f.upTo - start));
  f.upTo = end;
}

function digest(port, msg) {
  const f = files.get(msg.key);
  if (!f || f.upTo !== msg.n) {
    const error = { name: "Error", message: "the reader hashed " + (f ? f.upTo : 0) + " of its " + msg.n + " bytes" };
    port.postMessage({ type: "chunk", read: msg.read, error });
    return;
  }
  files.delete(msg.key);
  const buffer = f.sha.digest().buffer;
  port.postMessage({ type: "chunk", read: msg.read, buffer }, [buffer]);
}

// reader makes this worker the engine's reader over port.
function reader(port) {
  port.onmessage = (event) => {
    const msg = event.data;
    if (msg && msg.type === "read") readPiece(port, msg);
    else if (msg && msg.type === "digest") digest(port, msg);
  };
  warmSHA256();
}

self.onmessage = (event) => {
  const msg = event.data;
  if (!msg || typeof msg !== "object") {
    return;
  }
  if (msg.type === "reader") {
    reader(msg.port);
    return;
  }
  if (msg.type === "port") {
    readerPort = msg.port;
    readerPort.onmessage = (e) => e.data && e.data.type === "chunk" && settleRead(e.data);
    return;
  }
  if (msg.type === "init") {
    init(msg);
    return;
  }
  if (!core) {
    queue.push(msg);
    return;
  }
  dispatch(msg);
};
