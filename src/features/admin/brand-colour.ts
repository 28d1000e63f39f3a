// The brand colour: WCAG contrast checks, and the small stylesheet (/brand.css) that sets hameau.css's
// --brand and --brand-contrast from it. Pure functions of the colour: unit tested.

/** Buttons, links and the header put white text on the brand colour: WCAG AA for normal text. */
export const MIN_CONTRAST = 4.5;

const HEX = /^#[0-9a-f]{6}$/;

/**
 * "#1D4E89", " #1d4e89 " -> "#1d4e89"; null when it is not a colour written #rrggbb.
 *
 * @example
 * normaliseHex('#1D4E89') // "#1d4e89"
 */
export function normaliseHex(value: string): string | null {
  const hex = value.trim().toLowerCase();
  return HEX.test(hex) ? hex : null;
}

function channels(hex: string): [number, number, number] {
  return [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16)) as [number, number, number];
}

function toHex(rgb: readonly number[]): string {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG 2 relative luminance of "#rrggbb" (0 for black, 1 for white). */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * WCAG 2 contrast ratio between two colours, from 1 to 21.
 *
 * @example
 * contrastRatio('#1d4e89', '#ffffff') // about 8.4
 */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** True when white text on `hex` is readable (at least MIN_CONTRAST). */
export function readableWithWhite(hex: string): boolean {
  return contrastRatio(hex, '#ffffff') >= MIN_CONTRAST;
}

// hameau.css's dark theme: page and card backgrounds, and the dark text it puts on --brand.
const DARK_BACKGROUNDS = ['#15181d', '#1f2329'];
const DARK_BRAND_CONTRAST = '#0d1b2e';

/**
 * The brand colour for the dark theme: mixed with white just enough to read as a link on the dark
 * backgrounds, and to carry hameau.css's dark text on buttons and the header.
 */
export function darkThemeVariant(hex: string): string {
  const rgb = channels(hex);
  for (let step = 0; step <= 20; step++) {
    const mix = step / 20;
    const candidate = toHex(rgb.map((c) => c + (255 - c) * mix));
    const readable = [...DARK_BACKGROUNDS, DARK_BRAND_CONTRAST].every((other) => contrastRatio(candidate, other) >= MIN_CONTRAST);
    if (readable) return candidate;
  }
  return '#ffffff';
}

/**
 * The stylesheet served at /brand.css: empty without a brand colour (hameau.css's own colours hold).
 * Only a colour checked by normaliseHex is ever written into it.
 */
export function brandStylesheet(colour: string | null): string {
  const hex = colour === null ? null : normaliseHex(colour);
  if (!hex) return '/* Hameau\'s own colours. */\n';
  return [
    '/* The organisation\'s brand colour (administration, Organisation). */',
    `:root { --brand: ${hex}; --brand-contrast: #ffffff; }`,
    `@media (prefers-color-scheme: dark) { :root { --brand: ${darkThemeVariant(hex)}; --brand-contrast: ${DARK_BRAND_CONTRAST}; } }`,
    '',
  ].join('\n');
}
