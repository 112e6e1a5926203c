// Runs the seed rule's logic in DuckDB native (npm @duckdb/node-api,
// threads=2) over one CSV file and prints the count: scripts/bench's DuckDB
// contender. usage: node duckdb-native.mjs FILE
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
if (!file) {
  console.error('usage: node duckdb-native.mjs FILE');
  process.exit(2);
}
const sql = `SELECT count(*) FROM read_csv('${file.replaceAll("'", "''")}', header=true) WHERE (ProcessCommandLine ILIKE '%copy%' AND ProcessCommandLine ILIKE '%ignore-existing%' AND ProcessCommandLine ILIKE '%auto-confirm%') OR ProcessCommandLine ILIKE '%rclone.exe copy%' OR lower(FileName) = 'rclone.exe'`;
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const conn = await db.connect();
const reader = await conn.runAndReadAll(sql);
console.log(String(reader.getRows()[0][0]));
