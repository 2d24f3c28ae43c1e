import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

/** Client output of `vite build --config vite.sse-only.config.ts`, a step of the qwik-app's `build` script. */
const OUT = fileURLToPath(new URL('../qwik-app/tmp/sse-only', import.meta.url));

/** Strings only each module's minified code contains (literals survive minification; identifiers do not). */
const FOREIGN: Record<string, RegExp[]> = {
  'WebSocket transport': [/["'`]\/ws["'`]/, /no WebSocket available/, /\/\^http\//],
  'long-poll transport': [/["'`]\/poll["'`]/, /["'`]long-poll["'`]/],
  'fetch-SSE transport': [/text\/event-stream/, /["'`]fetch-sse["'`]/],
  'eventsource-parser': [/ParseError/, /createParser/],
  'worker host': [/SharedWorker/, /@qwik-realtime\/host/, /worker\.js/],
};

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return jsFiles(path);
    return entry.name.endsWith('.js') ? [path] : [];
  });
}

describe('a page naming SSE only (tests/qwik-app/src/sse-only, production client build)', () => {
  let files: string[];
  /** `file: …excerpt…` for every match of `pattern`, so a failure names the chunk without printing it. */
  const hits = (pattern: RegExp) =>
    files.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      const at = text.search(pattern);
      return at < 0 ? [] : [`${relative(OUT, file)}: …${text.slice(Math.max(0, at - 60), at + 60)}…`];
    });

  beforeAll(() => {
    if (!existsSync(OUT)) throw new Error(`${OUT} is missing: run pnpm --filter @qwik-realtime/qwik-app run build first`);
    files = jsFiles(OUT);
  });

  it('GIVEN the build THEN it holds the library and the SSE transport (the check below looks at real output)', () => {
    expect(files.length).toBeGreaterThan(3);
    expect(hits(/no EventSource available/)).not.toEqual([]);
    expect(hits(/["'`]\/sse["'`]/)).not.toEqual([]);
    expect(hits(/@qwik-realtime\/qwik:/).length).toBeGreaterThan(0);
  });

  it.each(Object.entries(FOREIGN))('GIVEN transports={[sse]} THEN no %s code is bundled', (_name, patterns) => {
    for (const pattern of patterns) expect(hits(pattern), String(pattern)).toEqual([]);
  });

  it('GIVEN a page that never publishes THEN the publish code is a chunk of its own, apart from the client it loads', () => {
    const publishing = hits(/publish not acknowledged in time/);
    expect(publishing).toHaveLength(1);
    const client = hits(/no EventSource available/);
    expect(client).toHaveLength(1);
    expect(publishing[0]!.split(':')[0]).not.toBe(client[0]!.split(':')[0]);
  });

  it('GIVEN no workerHost import THEN no worker asset is emitted', () => {
    const assets = existsSync(join(OUT, 'assets')) ? readdirSync(join(OUT, 'assets')) : [];
    expect(assets.filter((name) => /worker/i.test(name))).toEqual([]);
  });
});
