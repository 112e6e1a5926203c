// Runs the seed rule's logic in DuckDB native (npm @duckdb/node-api,
// threads=2) over one CSV file and prints the count: scripts/bench's DuckDB
// contender. usage: node duckdb-native.mjs FILE
//
// The SQL is seed.sql, which DuckDB-WASM in the browser benchmark
// (web/e2e, scripts/bench-browser) runs too, so that both DuckDB
// contenders answer exactly the same query; {{file}} stands for the file
// as an SQL string.
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
if (!file) {
  console.error('usage: node duckdb-native.mjs FILE');
  process.exit(2);
}
const template = readFileSync(new URL('./seed.sql', import.meta.url), 'utf8').trim();
const sql = template.replaceAll('{{file}}', `'${file.replaceAll("'", "''")}'`);
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const conn = await db.connect();
const reader = await conn.runAndReadAll(sql);
console.log(String(reader.getRows()[0][0]));
