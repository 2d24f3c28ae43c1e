import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Every ```ts / ```tsx block of docs/**\/*.md compiles against the packages' sources: each block is written
 * as its own module into a scratch folder inside packages/qwik (so `@builder.io/qwik`, qwik-city and vitest
 * resolve as in an app) and `tsc` checks them all at once. A block that is deliberately partial says so in
 * its info string (```ts nocheck); keep that rare.
 */
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SCRATCH = join(REPO, 'packages/qwik/tmp/docs-check');
const src = (path: string) => join(REPO, 'packages', path);

/** One code block: where it is and what it says. */
export interface DocBlock {
  file: string;
  line: number;
  lang: 'ts' | 'tsx';
  code: string;
}

/** The ts/tsx blocks of a markdown text that are not marked `nocheck`. */
export function extractBlocks(file: string, markdown: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|tsx)(\s.*)?$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    if (open[2]?.includes('nocheck')) continue;
    blocks.push({ file, line: start + 1, lang: open[1] as 'ts' | 'tsx', code: body.join('\n') });
  }
  return blocks;
}

async function markdownFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? markdownFiles(join(dir, entry.name)) : Promise.resolve(entry.name.endsWith('.md') ? [join(dir, entry.name)] : []))),
  );
  return nested.flat().sort();
}

describe('docs code blocks', () => {
  afterAll(() => rm(SCRATCH, { recursive: true, force: true }));

  it('extracts ts and tsx blocks and skips the ones marked nocheck', () => {
    const md = ['text', '```ts', 'const a = 1;', '```', '```ts nocheck', 'partial(', '```', '```sh', 'ls', '```', '```tsx', '<b />', '```'].join('\n');
    expect(extractBlocks('x.md', md)).toEqual([
      { file: 'x.md', line: 2, lang: 'ts', code: 'const a = 1;' },
      { file: 'x.md', line: 11, lang: 'tsx', code: '<b />' },
    ]);
  });

  it('GIVEN every ts/tsx block in docs/ WHEN type-checked against the packages THEN it compiles', async () => {
    const files = await markdownFiles(join(REPO, 'docs'));
    const blocks = (await Promise.all(files.map(async (file) => extractBlocks(relative(REPO, file), await readFile(file, 'utf8'))))).flat();
    expect(blocks.length).toBeGreaterThan(10);
    await rm(SCRATCH, { recursive: true, force: true });
    await mkdir(SCRATCH, { recursive: true });
    const names = new Map<string, DocBlock>();
    await Promise.all(
      blocks.map((block, index) => {
        const name = `${block.file.replace(/[/.]/g, '_')}_L${block.line}_${index}.${block.lang}`;
        names.set(name, block);
        // `export {}` keeps each block a module of its own, so two blocks may declare the same names.
        return writeFile(join(SCRATCH, name), `${block.code}\nexport {};\n`);
      }),
    );
    const tsconfig = {
      extends: join(REPO, 'tsconfig.base.json'),
      compilerOptions: {
        noEmit: true,
        declaration: false,
        sourceMap: false,
        noUnusedLocals: false,
        baseUrl: '.',
        paths: {
          '~/*': ['./src/*'],
          '@qwik-realtime/core/protocol': [src('core/src/protocol/index.ts')],
          '@qwik-realtime/core/testing': [src('core/src/testing/index.ts')],
          '@qwik-realtime/core/host': [src('core/src/host/index.ts')],
          '@qwik-realtime/core': [src('core/src/index.ts')],
          // The brokers' client libraries, as the server package has them.
          redis: [src('server/node_modules/redis')],
          '@nats-io/*': [src('server/node_modules/@nats-io/*')],
          'prom-client': [src('server/node_modules/prom-client')],
          '@qwik-realtime/qwik/server': [src('qwik/src/server/index.ts')],
          '@qwik-realtime/qwik/transports/*': [src('qwik/src/transports/*.ts')],
          '@qwik-realtime/qwik/worker': [src('qwik/src/worker.ts')],
          '@qwik-realtime/qwik': [src('qwik/src/index.ts')],
          '@qwik-realtime/server/vite': [src('server/src/vite.ts')],
          '@qwik-realtime/server/qwik-city': [src('server/src/qwik-city.ts')],
          '@qwik-realtime/server/redis': [src('server/src/brokers/redis.ts')],
          '@qwik-realtime/server/nats': [src('server/src/brokers/nats.ts')],
          '@qwik-realtime/server/rabbitmq': [src('server/src/brokers/rabbitmq.ts')],
          '@qwik-realtime/server/metrics': [src('server/src/metrics.ts')],
          '@qwik-realtime/server': [src('server/src/index.ts')],
        },
      },
      include: ['*.ts', '*.tsx'],
    };
    await writeFile(join(SCRATCH, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    // The app module the docs import as `~/hub` (docs/qwik/server.md shows it in full).
    await mkdir(join(SCRATCH, 'src'), { recursive: true });
    await writeFile(join(SCRATCH, 'src/hub.ts'), "import { createHub, type Hub } from '@qwik-realtime/server';\nexport const hub: Hub = createHub();\n");
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    const output = await promisify(execFile)(process.execPath, [tsc, '-p', join(SCRATCH, 'tsconfig.json')], { cwd: SCRATCH, maxBuffer: 16 << 20 }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    // Name the doc and line of each error instead of the scratch file.
    const errors = output
      .split('\n')
      .filter((line) => / error TS\d+/.test(line))
      .map((line) => {
        const match = /^([^(]+)\((\d+),\d+\): (.*)$/.exec(line);
        const block = match ? names.get(match[1]!.split('/').pop()!) : undefined;
        return block && match ? `${block.file}:${block.line + Number(match[2])}: ${match[3]}` : line;
      });
    expect(errors).toEqual([]);
  }, 400_000);
});
