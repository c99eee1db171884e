import { describe, expect, it } from 'vitest';
import { PALETTES, STYLESHEET, themeStylesheet } from '../../src/ui/styles.js';

/** WCAG 2.x relative luminance and contrast ratio of two #rrggbb colours. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('STYLESHEET', () => {
  it('defines every documented custom property', () => {
    for (const v of ['--gh-primary', '--gh-bg', '--gh-fg', '--gh-card', '--gh-muted', '--gh-danger', '--gh-radius', '--gh-font']) {
      expect(STYLESHEET).toContain(`${v}:`);
    }
  });
  it('has a dark palette, focus rings and a 420px card', () => {
    expect(STYLESHEET).toContain('@media (prefers-color-scheme:dark)');
    expect(STYLESHEET).toMatch(/:focus-visible\{outline:3px solid/);
    expect(STYLESHEET).toContain('max-width:420px');
  });
  it('puts both palettes into the stylesheet, dark under prefers-color-scheme', () => {
    const darkAt = STYLESHEET.indexOf('@media (prefers-color-scheme:dark){:root{');
    expect(STYLESHEET.slice(0, darkAt)).toContain(`--gh-fg:${PALETTES.light['--gh-fg']};`);
    expect(STYLESHEET.slice(darkAt)).toContain(`--gh-fg:${PALETTES.dark['--gh-fg']};`);
  });
  it.each(['light', 'dark'] as const)('meets WCAG AA (4.5:1) for text in the %s palette', (scheme) => {
    const p: Record<string, string> = PALETTES[scheme];
    const pairs: [string, string][] = [
      ['--gh-fg', '--gh-bg'],
      ['--gh-fg', '--gh-card'],
      ['--gh-muted', '--gh-card'],
      ['--gh-muted', '--gh-bg'],
      ['--gh-primary-fg', '--gh-primary'],
      ['--gh-primary', '--gh-card'],
      ['--gh-primary', '--gh-bg'],
      ['--gh-danger', '--gh-danger-bg'],
      ['--gh-fg', '--gh-input-bg'],
    ];
    for (const [fg, bg] of pairs) expect(contrast(p[fg], p[bg]), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
  });
  it('derives focus ring and hover from --gh-primary so a theme carries through', () => {
    expect(STYLESHEET).toContain('--gh-focus:var(--gh-primary)');
    expect(STYLESHEET).toContain('.gh-button-primary:hover{background:color-mix(in srgb,var(--gh-primary) 85%,var(--gh-fg))}');
  });
});

describe('themeStylesheet', () => {
  it('emits the configured custom properties under :root', () => {
    expect(themeStylesheet({ '--gh-primary': '#0a7d4f', '--gh-radius': '4px' })).toBe(':root{--gh-primary:#0a7d4f;--gh-radius:4px;}\n');
    expect(themeStylesheet({ '--gh-danger': 'rgb(10, 20, 30)' })).toBe(':root{--gh-danger:rgb(10, 20, 30);}\n');
  });
  it('pins the light palette when a theme sets a surface colour', () => {
    const css = themeStylesheet({ '--gh-bg': '#fafafa' });
    expect(css.startsWith(`:root{--gh-primary:${PALETTES.light['--gh-primary']};`)).toBe(true);
    expect(css.endsWith('--gh-bg:#fafafa;color-scheme:light}\n')).toBe(true);
    expect(css.indexOf('--gh-bg:#fafafa')).toBeGreaterThan(css.indexOf(`--gh-bg:${PALETTES.light['--gh-bg']}`));
  });
  it('is empty without colours', () => {
    expect(themeStylesheet({})).toBe('');
  });
  it('drops entries that could break out of the declaration', () => {
    const css = themeStylesheet({
      '--gh-primary': 'red;}body{display:none',
      '--gh-fg': 'url(javascript:x)',
      color: 'red',
      '--gh-X': 'red',
      '--gh-card': '</style><script>',
      '--gh-muted': '#555',
    });
    expect(css).toBe(':root{--gh-muted:#555;}\n');
  });
});
