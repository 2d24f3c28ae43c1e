import type { StorybookConfig } from 'storybook-framework-qwik';

const config: StorybookConfig = {
  stories: ['../src/**/*.mdx', '../src/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-essentials'],
  // Do not set core.renderer: it loads the Qwik loader twice (see docs/storybook.md).
  framework: { name: 'storybook-framework-qwik' },
  core: { disableTelemetry: true, disableWhatsNewNotifications: true, enableCrashReports: false },
  async viteFinal(viteConfig) {
    const { mergeConfig } = await import('vite');
    return mergeConfig(viteConfig, {
      // Pre-bundled up front so the first story load does not trigger a reload.
      optimizeDeps: { include: ['storybook-framework-qwik/dist/preview.js'] },
    });
  },
};

export default config;
