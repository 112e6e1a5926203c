// The DuckDB-WASM contender of the browser benchmark (duckdb-wasm.html).
// It loads the EH bundle before any file is picked, as offhunt's page
// loads its engine before, so that the timed part is the same for both:
// from the pick to the answer. The picked file is registered with
// BROWSER_FILEREADER (DuckDB reads slices of the File, nothing is copied
// up front) and queried with seed.sql, the SQL DuckDB native runs.
//
// window.duckBench is what the test reads: ready (or setupError) once the
// engine is loaded; then, after a pick, done with end (performance.now()),
// count or error, and wasmMemory (bytes, 0 when unknown).
import * as duckdb from '@duckdb/duckdb-wasm';

const dist = '/node_modules/@duckdb/duckdb-wasm/dist/';
const state = { ready: false, done: false };
window.duckBench = state;
const status = document.getElementById('status');

// sqlString quotes a file name as an SQL string literal.
const sqlString = (s) => `'${s.replaceAll("'", "''")}'`;

// wasmMemory asks the worker (duckdb-wasm-worker.js) for the size of
// DuckDB's WebAssembly memory, which only grows: read at the end, it is
// the peak. Answers 0 when the worker cannot tell.
function wasmMemory(worker) {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    const timer = setTimeout(() => resolve(0), 5000);
    ch.port1.onmessage = (e) => {
      clearTimeout(timer);
      resolve(Number(e.data) || 0);
    };
    worker.postMessage({ offhuntWasmMemory: ch.port2 }, [ch.port2]);
  });
}

try {
  const t0 = performance.now();
  const sql = (await (await fetch('/seed.sql')).text()).trim();
  const worker = new Worker('/duckdb-wasm-worker.js');
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(dist + 'duckdb-eh.wasm');
  const conn = await db.connect();
  state.version = await db.getVersion();
  state.loadMs = performance.now() - t0;
  // finish records the outcome once: a query that dies with its worker
  // (out of memory, say) never settles, so the worker's error ends the run.
  let running = false;
  const finish = async (error) => {
    if (!running) return;
    running = false;
    state.end = performance.now();
    if (error) state.error = error;
    state.wasmMemory = await wasmMemory(worker);
    status.textContent = state.error ? `failed: ${state.error}` : `count: ${state.count}`;
    state.done = true;
  };
  worker.addEventListener('error', (e) => finish(`the DuckDB worker failed: ${e.message || 'unknown error'}`));
  document.getElementById('pick').addEventListener('change', async (ev) => {
    const file = ev.target.files[0];
    running = true;
    try {
      await db.registerFileHandle(file.name, file, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true);
      const table = await conn.query(sql.replaceAll('{{file}}', sqlString(file.name)));
      state.count = Number(table.getChildAt(0).get(0));
      await finish();
    } catch (e) {
      await finish(String((e && e.message) || e));
    }
  });
  status.textContent = `DuckDB-WASM ${state.version} ready`;
  state.ready = true;
} catch (e) {
  state.setupError = String((e && e.stack) || e);
  status.textContent = `setup failed: ${state.setupError}`;
}
