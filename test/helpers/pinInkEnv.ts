import { vi } from 'vitest';

/**
 * Ink reads CI once, when it is first imported (is-in-ci), and renders differently under it (no resize
 * handling, the last frame written again at unmount). Import this module before anything that imports ink so
 * console tests see the same Ink on a laptop and in CI.
 */
vi.stubEnv('CI', 'false');
vi.stubEnv('CONTINUOUS_INTEGRATION', 'false');
