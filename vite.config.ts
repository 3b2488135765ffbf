// Unit and component tests (vitest). The production builds are in scripts/build.ts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  define: {
    __VERSION__: JSON.stringify('test'),
    __DEV__: 'false',
    __GATING__: 'true',
    __CONSENT_MODE__: 'true',
    __TABS__: 'true',
    __COOKIE__: 'true',
    __API__: 'true',
    __AUTOBLOCK__: 'false',
  },
  test: {
    include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx', 'test/collector/**/*.test.ts'],
    environment: 'node',
  },
});
