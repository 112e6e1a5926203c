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
// Files are read by the page: the worker sends {type: "read", read, blob,
// start, end, key, after} and the page answers {type: "chunk", read, buffer |
// error}, the buffer transferred, not copied (offhuntRead below says why);
// {type: "digest", read, key, n} gets the file's SHA-256 the same way.
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

// offhuntRead(blob, start, end, key, stream) is how the Go program reads a file: it
// asks the page, whose thread is idle during a scan, for the bytes
// [start, end) and gets a promise of them as an ArrayBuffer. A browser
// moves a File's bytes only while the reading thread is idle, so a read
// made here would wait for the scan instead of running beside it.
//
// A reader (stream) asks for its next pieces before it needs them, and
// the page hands each one over only after the one before (after): the
// page hashes a file in order, and the reader takes them in order anyway.
const reads = new Map();
let nextRead = 1;
const lastReadOf = new Map(); // stream -> its last read's number
self.offhuntRead = function (blob, start, end, key, stream) {
  const msg = { type: "read", blob, start, end, key, after: lastReadOf.get(stream) || 0 };
  const p = askPage(msg);
  if (end < blob.size) lastReadOf.set(stream, msg.read);
  else lastReadOf.delete(stream);
  return p;
};

// offhuntDigest(key, n) asks the page for the SHA-256 of the file it reads
// under key, once its n bytes have all been read: the page hashes a file
// as it reads it, on its own thread (see SHA256 in app.js).
self.offhuntDigest = function (key, n) {
  return askPage({ type: "digest", key, n });
};

// askPage sends the page a request numbered `read`; settleRead settles
// its promise with the page's {type: "chunk"} answer.
function askPage(msg) {
  const read = nextRead++;
  return new Promise((resolve, reject) => {
    reads.set(read, { resolve, reject });
    postMessage(Object.assign(msg, { read }));
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

self.onmessage = (event) => {
  const msg = event.data;
  if (!msg || typeof msg !== "object") {
    return;
  }
  if (msg.type === "chunk") {
    settleRead(msg);
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
