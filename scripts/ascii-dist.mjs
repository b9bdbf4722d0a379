// Escapes every non-ASCII character in the package's built JavaScript as \uXXXX. Run by `npm run build`, after tsc.
//
// Why: V8 holds each module's source for the life of the process, and holds it as UTF-16 — twice the bytes — when
// it has a single character outside Latin-1. The bridge's comments are full of them (—, →, ×): about 0.5 MB of its
// heap was that second byte (issue 18). The escape means the same thing everywhere it can stand in this code: in a
// comment, a string literal, an untagged template literal, a regular expression (a surrogate pair of escapes is one
// code point in a /u pattern) and an identifier. Where it would not — the raw text of a tagged template — the file is
// left as tsc wrote it and named; a character right after a backslash (an escape of its own) fails the build.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FOLDERS = ['dist/src', 'dist/instrumentation', 'dist/exporters'];
const NON_ASCII = /[\u0080-\uffff]/g;
const hasNonAscii = (text) => /[\u0080-\uffff]/.test(text);

function* jsFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* jsFiles(path);
    else if (entry.name.endsWith('.js')) yield path;
  }
}

/** Non-ASCII inside the template of a tagged template: its raw text, which an escape would change. */
function taggedTemplateWithNonAscii(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  let found = false;
  const visit = (node) => {
    if (found) return;
    if (ts.isTaggedTemplateExpression(node) && hasNonAscii(text.slice(node.template.pos, node.template.end))) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Each non-ASCII UTF-16 code unit as \uXXXX (test/unit/layout/ascii-dist.test.ts evaluates both and compares). */
export function escapeNonAscii(text) {
  return text.replace(NON_ASCII, (char, offset) => {
    let backslashes = 0;
    while (text[offset - 1 - backslashes] === '\\') backslashes++;
    if (backslashes % 2 === 1) throw new Error(`a non-ASCII character right after a backslash at offset ${offset}`);
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

function escapeDist() {
  let escaped = 0;
  const kept = [];
  for (const folder of FOLDERS) {
    for (const file of jsFiles(join(root, folder))) {
      const text = readFileSync(file, 'utf8');
      if (!hasNonAscii(text)) continue;
      const name = relative(root, file);
      if (taggedTemplateWithNonAscii(file, text)) {
        kept.push(name);
        continue;
      }
      try {
        writeFileSync(file, escapeNonAscii(text));
      } catch (err) {
        throw new Error(`ascii-dist: ${name}: ${err.message}`, { cause: err });
      }
      escaped++;
    }
  }
  console.log(`ascii-dist: ${escaped} files escaped${kept.length > 0 ? `; left as written (non-ASCII in a tagged template): ${kept.join(', ')}` : ''}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) escapeDist();
