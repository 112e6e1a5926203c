// DuckDB-WASM's EH worker, unchanged, behind a few lines that let the
// browser benchmark read the size of DuckDB's WebAssembly memory (the
// worker's memory is out of the page's reach, and performance.memory
// counts the page's JavaScript heap only).
'use strict';

const memories = [];
const note = (m) => {
  if (m instanceof WebAssembly.Memory && !memories.includes(m)) memories.push(m);
};
const noteExports = (r) => {
  const instance = r instanceof WebAssembly.Instance ? r : r.instance;
  for (const v of Object.values((instance && instance.exports) || {})) note(v);
  return r;
};

// The memory is either made by the glue code (imported) or made by the
// module (exported): catch both.
const Memory = WebAssembly.Memory;
function CountedMemory(desc) {
  const m = new Memory(desc);
  note(m);
  return m;
}
CountedMemory.prototype = Memory.prototype;
WebAssembly.Memory = CountedMemory;
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = (...args) => instantiate.apply(WebAssembly, args).then(noteExports);
if (WebAssembly.instantiateStreaming) {
  const streaming = WebAssembly.instantiateStreaming;
  WebAssembly.instantiateStreaming = (...args) => streaming.apply(WebAssembly, args).then(noteExports);
}

// Registered before DuckDB's own handler, so it can keep the benchmark's
// question from DuckDB, which would not understand it.
self.addEventListener('message', (e) => {
  const port = e.data && e.data.offhuntWasmMemory;
  if (port instanceof MessagePort) {
    e.stopImmediatePropagation();
    port.postMessage(Math.max(0, ...memories.map((m) => m.buffer.byteLength)));
  }
});

importScripts('/node_modules/@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js');
