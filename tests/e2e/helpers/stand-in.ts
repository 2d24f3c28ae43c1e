import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startStandInServer } from '../../../stories/stand-in-broker/server';
import type { StandInServer, StandInServerOptions } from '../../../stories/stand-in-broker/server';
import type { StandInStats } from '../../../stories/stand-in-broker/stand-in';

/** Where `pnpm build-storybook` writes the static Storybook. */
export const STORYBOOK_STATIC = fileURLToPath(new URL('../../../stories/storybook-static', import.meta.url));

/**
 * Start the stand-in broker beside the static Storybook build on port 0, as `pnpm --filter
 * @qwik-realtime/stories serve` does. Fails clearly when the build is missing.
 */
export async function startStorybookServer(options: StandInServerOptions = {}): Promise<StandInServer> {
  if (!existsSync(`${STORYBOOK_STATIC}/iframe.html`)) {
    throw new Error(`@qwik-realtime/tests: no static Storybook in ${STORYBOOK_STATIC}; run \`pnpm build-storybook\` first`);
  }
  return startStandInServer({ port: 0, staticDir: STORYBOOK_STATIC, ...options });
}

/** URL of one story rendered alone (the preview iframe), e.g. `components-livefeed--web-socket`, or of a docs page. */
export function storyUrl(base: string, id: string, args?: Record<string, string | number | boolean>, viewMode: 'story' | 'docs' = 'story'): string {
  const query = new URLSearchParams({ id, viewMode });
  if (args) query.set('args', Object.entries(args).map(([key, value]) => `${key}:${value}`).join(';'));
  return `${base}/iframe.html?${query}`;
}

/** The control API as tests use it (the same endpoints the story buttons call). */
export function controlClient(base: string) {
  return {
    async post(action: string, params: Record<string, string | number | boolean> = {}): Promise<StandInStats> {
      const query = new URLSearchParams(Object.entries(params).map(([key, value]) => [key, String(value)]));
      const response = await fetch(`${base}/realtime-control/${action}?${query}`, { method: 'POST' });
      if (!response.ok) throw new Error(`control ${action}: HTTP ${response.status}`);
      return (await response.json()) as StandInStats;
    },
    async stats(): Promise<StandInStats> {
      const response = await fetch(`${base}/realtime-control/stats`);
      return (await response.json()) as StandInStats;
    },
  };
}
