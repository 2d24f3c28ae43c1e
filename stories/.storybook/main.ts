import { fileURLToPath } from 'node:url';
import type { StorybookConfig } from 'storybook-framework-qwik';

const config: StorybookConfig = {
  stories: ['../src/**/*.mdx', '../src/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-essentials'],
  // Do not set core.renderer: it loads the Qwik loader twice (see docs/storybook.md).
  framework: { name: 'storybook-framework-qwik' },
  core: { disableTelemetry: true, disableWhatsNewNotifications: true, enableCrashReports: false },
  // The framework's preset is applied twice (once as framework, once as its own renderer), so its
  // previewHead injects the Qwik loader twice: "Identifier 't' has already been declared". Keep one.
  async previewHead(head) {
    const { QWIK_LOADER } = await import('@builder.io/qwik/loader');
    const tag = `<script>${QWIK_LOADER}</script>`;
    const first = head.indexOf(tag);
    if (first === -1) return head;
    return head.slice(0, first + tag.length) + head.slice(first + tag.length).split(tag).join('');
  },
  async viteFinal(viteConfig) {
    const { createLogger, mergeConfig } = await import('vite');
    const { standInBrokerPlugin } = await import('../stand-in-broker/vite-plugin.js');
    // Qwik's Vite plugin emits its loader chunk in buildStart in serve mode too, where Vite ignores the chunk
    // and warns "context method emitFile() is not supported in serve mode" on every start: harmless, but it
    // reads as a failure to a newcomer. Only that line is dropped.
    const logger = createLogger(viteConfig.logLevel);
    const warn = logger.warn.bind(logger);
    logger.warn = (message, options) => {
      if (!message.includes('emitFile() is not supported in serve mode')) warn(message, options);
    };
    const stories = (glob: string) => fileURLToPath(new URL(`../src/${glob}`, import.meta.url));
    return mergeConfig(viteConfig, {
      customLogger: logger,
      // Transform the stories while Storybook starts, so opening the first one does not wait for them.
      server: { warmup: { clientFiles: [stories('**/*.mdx'), stories('**/*.stories.tsx')] } },
      // The stand-in broker: the real hub on a memory broker, same origin as the stories (dev only).
      plugins: [standInBrokerPlugin()],
      // Pre-bundled up front so the first story load does not trigger a reload.
      // The docs renderer's deps too, or opening the first Docs page re-optimizes and reloads.
      optimizeDeps: {
        include: [
          'storybook-framework-qwik/dist/preview.js',
          '@storybook/addon-essentials > @storybook/addon-docs > @mdx-js/react',
          '@storybook/addon-essentials > @storybook/addon-docs > react/jsx-runtime',
        ],
      },
    });
  },
};

export default config;
