// The development build's full config report (assent.dev.js).
import { validateConfig } from '../core/validate';

/** Prints every error and warning of the config; returns the reason to fail closed, or ''. */
export const reportConfig = (config: unknown): string => {
  const { errors, warnings } = validateConfig(config);
  for (const w of warnings) console.warn(`assent: ${w.message}`);
  for (const e of errors) console.error(`assent: ${e.message}`);
  return errors.length ? `the config has ${errors.length} error(s), listed above; nothing gated will run` : '';
};

/** Says which config sources of the page a loader with a config built in (`assent bundle`) ignores. */
export const reportIgnoredSources = () => {
  try {
    const ignored = [
      document.currentScript?.hasAttribute('data-config') && 'data-config',
      window.assentConfig !== undefined && 'window.assentConfig',
      document.getElementById('assent-config') && '#assent-config',
    ].filter(Boolean);
    if (ignored.length)
      console.warn(`assent: this loader has a config built in (assent bundle); it ignores ${ignored.join(', ')}`);
  } catch {}
};
