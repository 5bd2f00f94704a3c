#!/usr/bin/env node
// Parses each Mermaid file named on the command line with the real mermaid parser, offline,
// under a jsdom window (no browser). Exits 0 if all parse; otherwise prints "file: error" for
// each failure to stderr and exits 1 (2 on usage errors).
//
// tools/install-diagram-tools copies this file next to the installed node_modules, so the bare
// imports below resolve from there (NODE_PATH does not apply to ESM imports).
import { readFile } from 'node:fs/promises';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node check-mermaid.mjs FILE.mmd...\n');
  process.exit(2);
}

const { JSDOM } = await import('jsdom');
const dom = new JSDOM('<!DOCTYPE html><html><head></head><body></body></html>', {
  pretendToBeVisual: true,
});
const { window } = dom;
// mermaid and DOMPurify look these up as globals when they are imported.
const globals = {
  window,
  document: window.document,
  DOMParser: window.DOMParser,
  Element: window.Element,
  HTMLElement: window.HTMLElement,
  SVGElement: window.SVGElement,
  Node: window.Node,
  NodeFilter: window.NodeFilter,
  DocumentFragment: window.DocumentFragment,
  XMLSerializer: window.XMLSerializer,
  getComputedStyle: window.getComputedStyle.bind(window),
  requestAnimationFrame: window.requestAnimationFrame.bind(window),
  cancelAnimationFrame: window.cancelAnimationFrame.bind(window),
};
for (const [name, value] of Object.entries(globals)) {
  if (!(name in globalThis)) globalThis[name] = value;
}
// Node 21+ already has a (read-only) globalThis.navigator; Node 20 has none, so lend jsdom's.
if (!('navigator' in globalThis)) globalThis.navigator = window.navigator;

const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

let failed = 0;
for (const file of files) {
  try {
    const text = await readFile(file, 'utf8');
    // Throws on a syntax error (suppressErrors defaults to false); returns false only when
    // suppressErrors is set, so treat anything falsy as a failure too.
    const ok = await mermaid.parse(text);
    if (!ok) throw new Error('mermaid.parse returned ' + String(ok));
  } catch (err) {
    failed++;
    const msg = (err && (err.message || err.str)) || String(err);
    process.stderr.write(`${file}: ${String(msg).replace(/\s+$/, '')}\n`);
  }
}
process.exit(failed ? 1 : 0);
