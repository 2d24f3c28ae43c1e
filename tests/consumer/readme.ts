import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const SECTION = '## Add to your Qwik City app';

/** One fenced code block of the README's "Add to your Qwik City app" section. */
export interface ReadmeBlock {
  lang: string;
  /** The file named by the block's first line (`// src/hub.ts ...`), or `null` for shell blocks. */
  file: string | null;
  /** What the first line says after the file name (`(created by ...)`, `, on Redis`). */
  note: string;
  /** The block's lines after its first (file-naming) line. */
  body: string[];
}

/** The section's code blocks, in order; fails if the section is missing. */
export function readmeBlocks(markdown = readFileSync(README, 'utf8')): ReadmeBlock[] {
  const start = markdown.indexOf(`\n${SECTION}\n`);
  if (start === -1) throw new Error(`@qwik-realtime/tests: README.md has no "${SECTION}" section`);
  const end = markdown.indexOf('\n## ', start + SECTION.length + 2);
  const section = markdown.slice(start, end === -1 ? undefined : end);
  const blocks: ReadmeBlock[] = [];
  for (const match of section.matchAll(/```(\w+)\n([\s\S]*?)```/g)) {
    const lang = match[1]!;
    const lines = match[2]!.replace(/\n$/, '').split('\n');
    const named = /^\/\/ (\S+)(.*)$/.exec(lines[0] ?? '');
    blocks.push(named ? { lang, file: named[1]!, note: named[2]!.trim(), body: lines.slice(1) } : { lang, file: null, note: '', body: lines });
  }
  return blocks;
}

/**
 * Lines of user code in a block: not blank, not a comment, not the `// ...` elision, and — for a block that
 * edits a starter file — not a line the starter already has (the anchors).
 */
export function codeLines(block: ReadmeBlock, starter = ''): number {
  const existing = new Set(starter.split('\n').map((line) => line.trim()));
  return block.body.filter((line) => line.trim() !== '' && !line.trim().startsWith('//') && !existing.has(line.trim())).length;
}

/** The packages the README's `npm install -D ...` line installs. */
export function installedPackages(blocks: ReadmeBlock[]): string[] {
  const line = blocks.flatMap((block) => (block.lang === 'sh' ? block.body : [])).find((text) => /^npm install -D /.test(text));
  if (!line) throw new Error('@qwik-realtime/tests: no `npm install -D` line in the README section');
  return line.replace(/^npm install -D /, '').split(/\s+/).filter((word) => word.startsWith('@qwik-realtime/'));
}

/**
 * Apply a block that edits a starter file instead of creating one (its body has a `// ...` line):
 * `import` lines go after the file's last import; a line found in the file (trimmed) is an anchor, the
 * lines after it are inserted after it; a line whose `key:` prefix matches a file line replaces that line.
 * Throws when an anchor or key is not found, so a changed starter fails loudly.
 */
export function patchFile(source: string, block: ReadmeBlock): string {
  const lines = source.split('\n');
  const imports = block.body.filter((line) => line.startsWith('import '));
  let lastImport = -1;
  lines.forEach((line, index) => {
    if (/^import\s/.test(line)) lastImport = index;
  });
  lines.splice(lastImport + 1, 0, ...imports);
  let cursor = -1;
  for (const line of block.body.slice(block.body.indexOf('// ...') + 1)) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const anchor = lines.findIndex((candidate) => candidate.trim() === trimmed);
    if (anchor !== -1) {
      cursor = anchor;
      continue;
    }
    const key = /^(\w+):/.exec(trimmed)?.[1];
    const keyed = key ? lines.findIndex((candidate) => candidate.trim().startsWith(`${key}:`)) : -1;
    if (keyed !== -1) {
      lines[keyed] = line;
      cursor = keyed;
      continue;
    }
    if (cursor === -1) throw new Error(`@qwik-realtime/tests: ${block.file}: no anchor for README line "${trimmed}"`);
    lines.splice(++cursor, 0, line);
  }
  return lines.join('\n');
}
