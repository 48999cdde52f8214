/** Colour depth: 0 none, 1 basic 16 colours, 2 256 colours, 3 truecolor (chalk's levels). */
export type ColorLevel = 0 | 1 | 2 | 3;

/**
 * Whether to colour output, one rule for every face of the tool (console, scripted output, logs):
 * `--no-color` wins; then FORCE_COLOR (`0`/`false` off, `1`-`3` that depth, empty or `true` at least basic
 * colours; force-color.org) — it wins over NO_COLOR, as in Node itself; then NO_COLOR when set and not empty
 * (no-color.org); otherwise what the terminal supports (`detected`).
 */
export function colorLevel(
  flag: boolean | undefined,
  env: Record<string, string | undefined>,
  detected: ColorLevel,
): ColorLevel {
  if (flag === false) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '' || force === 'true') return detected > 0 ? detected : 1;
    const n = Number.parseInt(force, 10);
    if (n >= 1 && n <= 3) return n as ColorLevel;
    return detected > 0 ? detected : 1;
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  return detected;
}
