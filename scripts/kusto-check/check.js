// check.js checks offhunt rules with Microsoft's own Kusto language
// service (@kusto/language-service-next, the parser and semantic analyzer
// behind the Kusto editors), against the schemas of the tables offhunt
// knows, and fails on any error diagnostic: every rule must run unchanged
// in Defender XDR advanced hunting and Microsoft Sentinel.
//
// Usage: node check.js SCHEMA.json PATH...
//   SCHEMA.json  what `go run ./scripts/kusto-check/schema` prints
//   PATH         a rule file (.kql), a Sentinel analytics rule that
//                `offhunt rules export --format sentinel` wrote (.yaml),
//                or a folder of either
"use strict";

const fs = require("fs");
const path = require("path");
const yaml = require("js-yaml");

require("@kusto/language-service-next/bridge.js");
require("@kusto/language-service-next/Kusto.Language.Bridge.js");

/* global Kusto, Bridge */

function usage(msg) {
  process.stderr.write(`kusto-check: ${msg}\nusage: node check.js SCHEMA.json RULE.kql|RULE.yaml|DIR...\n`);
  process.exit(2);
}

const [schemaPath, ...targets] = process.argv.slice(2);
if (!schemaPath || targets.length === 0) usage("missing arguments");

// The globals: one database holding every known table, typed as offhunt
// types them (Microsoft's schema references).
const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
const Symbols = Kusto.Language.Symbols;
const tables = Object.keys(schema.tables).sort().map((name) => {
  const cols = schema.tables[name].map((c) => `['${c.name}']:${c.type}`).join(", ");
  return new Symbols.TableSymbol.$ctor7(name, `(${cols})`, null);
});
const database = new Symbols.DatabaseSymbol.ctor("offhunt", tables);
const globals = Kusto.Language.GlobalState.Default.WithDatabase(database);

function files(target) {
  const st = fs.statSync(target);
  if (!st.isDirectory()) return [target];
  return fs.readdirSync(target)
    .filter((f) => /\.(kql|ya?ml)$/i.test(f))
    .sort()
    .map((f) => path.join(target, f));
}

// position turns an offset into the text into 1-based line and column.
function position(text, offset) {
  const before = text.slice(0, offset).split("\n");
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

// analyze parses and binds a query and reports its diagnostics; lineBase
// shifts the lines to where the query sits in its file.
function analyze(file, text, lineBase) {
  const code = Kusto.Language.KustoCode.ParseAndAnalyze(text, globals);
  const problems = [];
  for (const d of Bridge.toArray(code.GetDiagnostics())) {
    const [line, col] = position(text, d.Start).split(":").map(Number);
    const where = `${file}:${line + lineBase}:${col}`;
    if (d.Severity === "Error") {
      problems.push(`${where}: error ${d.Code}: ${d.Message}`);
    } else {
      console.log(`${where}: ${d.Severity.toLowerCase()} ${d.Code}: ${d.Message}`);
    }
  }
  return problems;
}

const severities = ["Informational", "Low", "Medium", "High"];
const tactics = ["Reconnaissance", "ResourceDevelopment", "InitialAccess", "Execution", "Persistence",
  "PrivilegeEscalation", "DefenseEvasion", "CredentialAccess", "Discovery", "LateralMovement",
  "Collection", "CommandAndControl", "Exfiltration", "Impact"];

// checkSentinel checks an exported scheduled analytics rule: the fields the
// Azure-Sentinel repository's detections carry, and its query.
function checkSentinel(file, text) {
  let doc;
  try {
    doc = yaml.load(text);
  } catch (e) {
    return [`${file}: not YAML: ${e.message}`];
  }
  const problems = [];
  const need = (ok, msg) => { if (!ok) problems.push(`${file}: ${msg}`); };
  need(doc && typeof doc === "object", "not a mapping");
  if (problems.length) return problems;
  need(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(doc.id), `id ${doc.id} is not a GUID`);
  need(typeof doc.name === "string" && doc.name.length > 0, "no name");
  need(typeof doc.description === "string" && doc.description.length > 0, "no description");
  need(severities.includes(doc.severity), `severity ${doc.severity}`);
  need(Array.isArray(doc.requiredDataConnectors) && doc.requiredDataConnectors.every((c) => c.connectorId && Array.isArray(c.dataTypes)), "requiredDataConnectors");
  need(/^\d+[mhd]$/.test(doc.queryFrequency) && /^\d+[mhd]$/.test(doc.queryPeriod), "queryFrequency/queryPeriod");
  need(["gt", "lt", "eq", "ne"].includes(doc.triggerOperator) && Number.isInteger(doc.triggerThreshold), "trigger");
  need(Array.isArray(doc.tactics) && doc.tactics.every((t) => tactics.includes(t)), `tactics ${doc.tactics}`);
  need(Array.isArray(doc.relevantTechniques) && doc.relevantTechniques.every((t) => /^T\d{4}(\.\d{3})?$/.test(t)), "relevantTechniques");
  need(doc.kind === "Scheduled" && typeof doc.version === "string", "kind/version");
  for (const e of doc.entityMappings || []) {
    need(e.entityType && Array.isArray(e.fieldMappings) && e.fieldMappings.every((f) => f.identifier && f.columnName), `entity mapping ${JSON.stringify(e)}`);
  }
  need(typeof doc.query === "string" && doc.query.length > 0, "no query");
  if (typeof doc.query === "string") {
    const lines = text.split("\n");
    const at = lines.findIndex((l) => l.startsWith("query:"));
    problems.push(...analyze(file, doc.query, at + 1));
  }
  return problems;
}

let count = 0;
let errors = 0;
for (const target of targets) {
  for (const file of files(target)) {
    count++;
    const text = fs.readFileSync(file, "utf8").replace(/\r\n/g, "\n");
    const problems = /\.ya?ml$/i.test(file) ? checkSentinel(file, text) : analyze(file, text, 0);
    for (const p of problems) console.log(p);
    errors += problems.length;
    console.log(`${problems.length === 0 ? "ok  " : "FAIL"} ${file}`);
  }
}
if (count === 0) usage("no .kql or .yaml files found");
if (errors > 0) {
  console.log(`kusto-check: ${errors} error(s) in ${count} file(s)`);
  process.exit(1);
}
console.log(`kusto-check: ${count} file(s) parse and analyze cleanly with Microsoft's Kusto parser`);
