// Fails on any import cycle between our own TypeScript files (src/ and webview/): the layers (README,
// Development) only hold when no module reaches back up to one that reaches it. Every relative import
// counts — type-only ones, re-exports and dynamic import() included — since a type-only circle is still
// two modules that cannot be understood (or moved) one without the other. Pure Node: regular expressions
// over the import lines, no parser. Run by `npm run lint`; exports its parts for the unit tests.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const DEFAULT_DIRS = ['src', 'webview'];

// `… from './x'` (import, import type, export … from, across lines), `import './x'`, `import('./x')`.
const IMPORT_PATTERNS = [
  /(?:^|[\s;}])from\s*(['"])(\.{1,2}\/[^'"\n]*)\1/g,
  /(?:^|[\s;])import\s*(['"])(\.{1,2}\/[^'"\n]*)\1/g,
  /\bimport\s*\(\s*(['"])(\.{1,2}\/[^'"\n]*)\1\s*\)/g,
];

/** The relative module specifiers a source file imports, in order of appearance (package imports are not ours). */
export function importsOf(source) {
  const found = [];
  for (const pattern of IMPORT_PATTERNS) for (const match of source.matchAll(pattern)) found.push({ at: match.index, spec: match[2] });
  return found.sort((a, b) => a.at - b.at).map(({ spec }) => spec);
}

/** `a/b/../c` → `a/c`, with forward slashes. */
function normalise(path) {
  const parts = [];
  for (const part of path.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.' && part !== '') parts.push(part);
  }
  return parts.join('/');
}

/** The file (one of `files`) that `spec`, imported from `from`, names; undefined when it is none of ours. */
export function resolveImport(from, spec, files) {
  const base = normalise(`${dirname(from)}/${spec}`);
  return [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((candidate) => files.has(candidate));
}

/** file → the files it imports, from `sources` (file → its text); imports of anything else are dropped. */
export function graphFromSources(sources) {
  const files = new Set(Object.keys(sources));
  const graph = new Map();
  for (const [file, source] of Object.entries(sources)) {
    const targets = importsOf(source)
      .map((spec) => resolveImport(file, spec, files))
      .filter((target) => target !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/**
 * One cycle per strongly connected component of more than one file (or a file importing itself), as the
 * files in import order with the first repeated at the end. Tarjan's algorithm, iterative.
 */
export function findCycles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  let next = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work = [[root, 0]];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [node, i] = frame;
      const targets = graph.get(node) ?? [];
      if (i < targets.length) {
        frame[1]++;
        const target = targets[i];
        if (!graph.has(target)) continue;
        if (!index.has(target)) {
          index.set(target, next);
          low.set(target, next++);
          stack.push(target);
          onStack.add(target);
          work.push([target, 0]);
        } else if (onStack.has(target)) low.set(node, Math.min(low.get(node), index.get(target)));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(node)));
      }
      if (low.get(node) === index.get(node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        if (component.length > 1 || (graph.get(node) ?? []).includes(node)) components.push(component);
      }
    }
  }
  return components.map((component) => cycleIn(graph, new Set(component)));
}

/** A shortest path from the component's first file (by name) back to itself, through the component only. */
function cycleIn(graph, component) {
  const start = [...component].sort()[0];
  const parent = new Map();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    for (const target of graph.get(queue[i]) ?? []) {
      if (!component.has(target)) continue;
      if (target === start) {
        const path = [start];
        for (let at = queue[i]; at !== start; at = parent.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!parent.has(target)) {
        parent.set(target, queue[i]);
        queue.push(target);
      }
    }
  }
  return [start, start];
}

function tsFiles(root, dir) {
  let entries;
  try {
    entries = readdirSync(join(root, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : tsFiles(root, path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The import graph of the TypeScript files under `dirs` of `root`, keyed by path relative to root. */
export function projectGraph(root, dirs = DEFAULT_DIRS) {
  const sources = {};
  for (const dir of dirs) for (const file of tsFiles(root, dir)) sources[file] = readFileSync(join(root, file), 'utf8');
  return graphFromSources(sources);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const dirs = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_DIRS;
  const graph = projectGraph(root, dirs);
  const cycles = findCycles(graph);
  if (cycles.length > 0) {
    console.error(
      `Import cycles (scripts/check-cycles.mjs): move what both sides need into the lower module.\n${cycles.map((cycle) => `  ${cycle.join('\n    → ')}`).join('\n')}`,
    );
    process.exit(1);
  }
  console.log(
    `check-cycles: ${graph.size} files under ${dirs.map((dir) => relative(root, join(root, dir)).split(sep).join('/')).join(', ')}, no import cycles`,
  );
}
