/** Colour palettes of the built-in stylesheet (WCAG AA text contrast in both). */
export const PALETTES = {
  light: {
    '--gh-primary': '#2456d3',
    '--gh-primary-fg': '#ffffff',
    '--gh-bg': '#f3f5f8',
    '--gh-fg': '#1a1d23',
    '--gh-card': '#ffffff',
    '--gh-muted': '#596170',
    '--gh-border': '#d3d8e0',
    '--gh-input-bg': '#ffffff',
    '--gh-danger': '#b42318',
    '--gh-danger-bg': '#fef3f2',
    '--gh-danger-border': '#f5c2bd',
    '--gh-shadow': '0 1px 2px rgba(16,24,40,.05),0 12px 32px -8px rgba(16,24,40,.12)',
  },
  dark: {
    '--gh-primary': '#7aa7ff',
    '--gh-primary-fg': '#0b1220',
    '--gh-bg': '#0e1116',
    '--gh-fg': '#e7e9ee',
    '--gh-card': '#171b22',
    '--gh-muted': '#a2aab8',
    '--gh-border': '#2f3643',
    '--gh-input-bg': '#0f1318',
    '--gh-danger': '#ffa198',
    '--gh-danger-bg': '#2a1517',
    '--gh-danger-border': '#6b2a2a',
    '--gh-shadow': '0 1px 2px rgba(0,0,0,.4),0 12px 32px -8px rgba(0,0,0,.6)',
  },
} as const;

function declarations(vars: Readonly<Record<string, string>>): string {
  return Object.entries(vars)
    .map(([name, value]) => `${name}:${value};`)
    .join('');
}

/**
 * The built-in stylesheet, served by the lead at `<basePath>/assets/gatehouse.css`.
 * Every colour, the corner radius and the font stack are CSS custom properties
 * (`--gh-*`) so a theme only overrides variables. Light colours meet WCAG AA
 * contrast on their backgrounds; a dark palette follows prefers-color-scheme.
 *
 * @example
 * res.setHeader('content-type', 'text/css; charset=utf-8');
 * res.end(STYLESHEET);
 */
export const STYLESHEET = `:root{${declarations(PALETTES.light)}
--gh-font:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif;
--gh-mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;
--gh-focus:var(--gh-primary);--gh-radius:14px;--gh-control-radius:8px;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{${declarations(PALETTES.dark)}}}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;min-height:100vh;background:var(--gh-bg);color:var(--gh-fg);font-family:var(--gh-font);font-size:1rem;line-height:1.5;-webkit-font-smoothing:antialiased}
.gh-page{min-height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:1.5rem;padding:2.5rem 1rem}
.gh-brand{display:flex;align-items:center;justify-content:center;min-height:2.5rem}
.gh-brand img{display:block;max-height:2.5rem;max-width:12.5rem;height:auto}
.gh-brand-name{font-size:1.25rem;font-weight:700;letter-spacing:-.01em;color:var(--gh-fg)}
.gh-card{width:100%;max-width:420px;background:var(--gh-card);border:1px solid var(--gh-border);border-radius:var(--gh-radius);box-shadow:var(--gh-shadow);padding:2.25rem 2rem}
.gh-footer{font-size:.8125rem;color:var(--gh-muted);text-align:center}
h1{font-size:1.5rem;line-height:1.25;font-weight:650;letter-spacing:-.015em;margin:0 0 .5rem}
h2{font-size:.8125rem;font-weight:600;text-transform:uppercase;letter-spacing:.06em;color:var(--gh-muted);margin:1.5rem 0 .5rem}
p{margin:0 0 1rem}
a{color:var(--gh-primary);text-underline-offset:.15em}
a:hover{text-decoration-thickness:2px}
.gh-header{text-align:center;margin-bottom:1.75rem}
.gh-header p{margin:0}
.gh-muted{color:var(--gh-muted)}
.gh-small{font-size:.875rem}
.gh-client-logo{display:block;width:3.5rem;height:3.5rem;object-fit:contain;border-radius:12px;margin:0 auto 1rem;background:var(--gh-bg)}
.gh-field{margin-bottom:1.125rem}
.gh-label{display:block;font-weight:600;font-size:.9375rem;margin-bottom:.375rem}
.gh-input{display:block;width:100%;font:inherit;color:var(--gh-fg);background:var(--gh-input-bg);border:1px solid var(--gh-border);border-radius:var(--gh-control-radius);padding:.625rem .75rem;min-height:2.75rem}
.gh-input[aria-invalid="true"]{border-color:var(--gh-danger)}
.gh-check{display:flex;align-items:flex-start;gap:.625rem;margin:0 0 1.25rem;cursor:pointer}
.gh-check input{flex:none;width:1.125rem;height:1.125rem;margin:.1875rem 0 0;accent-color:var(--gh-primary)}
.gh-check input:disabled{opacity:.7}
.gh-actions{display:flex;flex-direction:column;gap:.75rem;margin-top:1.5rem}
.gh-cancel{margin-top:.75rem}
.gh-external{display:grid;gap:.5rem;margin:0 0 1rem}
.gh-divider{display:flex;align-items:center;gap:.75rem;margin:0 0 1rem;color:var(--gh-muted)}
.gh-divider::before,.gh-divider::after{content:"";flex:1;border-top:1px solid var(--gh-border)}
.gh-button{display:block;width:100%;font:inherit;font-weight:600;text-align:center;text-decoration:none;border-radius:var(--gh-control-radius);border:1px solid transparent;padding:.6875rem 1rem;min-height:2.75rem;cursor:pointer}
.gh-button-primary{background:var(--gh-primary);color:var(--gh-primary-fg)}
.gh-button-primary:hover{background:color-mix(in srgb,var(--gh-primary) 85%,var(--gh-fg))}
.gh-button-secondary{background:transparent;color:var(--gh-fg);border-color:var(--gh-border)}
.gh-button-secondary:hover{background:var(--gh-bg)}
:focus-visible{outline:3px solid var(--gh-focus);outline-offset:2px}
.gh-input:focus-visible{outline-offset:1px;border-color:var(--gh-focus)}
.gh-alert{border:1px solid var(--gh-danger-border);background:var(--gh-danger-bg);color:var(--gh-danger);border-radius:var(--gh-control-radius);padding:.75rem 1rem;margin:0 0 1.25rem;font-size:.9375rem}
.gh-scopes{list-style:none;margin:0;padding:0;border:1px solid var(--gh-border);border-radius:var(--gh-control-radius)}
.gh-scope{padding:.75rem 1rem}
.gh-scope+.gh-scope{border-top:1px solid var(--gh-border)}
.gh-scope .gh-check{margin:0}
.gh-scope-name{font-weight:500}
.gh-scope-emphasize .gh-scope-name{font-weight:700}
.gh-scope-description{display:block;font-size:.875rem;color:var(--gh-muted)}
.gh-badge{display:inline-block;margin-left:.375rem;padding:0 .4rem;font-size:.75rem;font-weight:600;border:1px solid var(--gh-border);border-radius:999px;color:var(--gh-muted);vertical-align:.08em}
.gh-remember{margin-top:1.25rem}
.gh-claims{display:grid;grid-template-columns:minmax(6rem,max-content) 1fr;align-items:baseline;gap:.5rem 1rem;margin:0 0 1.5rem;font-size:.9375rem}
.gh-claims dt{color:var(--gh-muted)}
.gh-claims dd{margin:0;overflow-wrap:anywhere}
.gh-code{font-family:var(--gh-mono);font-size:.875em;overflow-wrap:anywhere}
.gh-details{margin:0 0 1.25rem}
.gh-details dt{font-weight:600;font-size:.875rem}
.gh-details dd{margin:0 0 .75rem}
.gh-reference{border-top:1px solid var(--gh-border);padding-top:1rem;margin:0}
.gh-hidden-frame{display:none}
.gh-list{list-style:none;margin:0 0 1.25rem;padding:0;border:1px solid var(--gh-border);border-radius:var(--gh-control-radius)}
.gh-list li{padding:.75rem 1rem}
.gh-list li+li{border-top:1px solid var(--gh-border)}
.gh-list p{margin:0 0 .5rem}
.gh-notice{border:1px solid var(--gh-border);border-radius:var(--gh-control-radius);padding:.75rem 1rem;margin:0 0 1.25rem;font-size:.9375rem}
.gh-button-danger{background:var(--gh-danger-bg);color:var(--gh-danger);border-color:var(--gh-danger-border)}
.gh-sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
@media (prefers-reduced-motion:no-preference){.gh-button,.gh-input{transition:background-color .15s,border-color .15s,color .15s}}
@media (max-width:480px){.gh-page{justify-content:flex-start;padding:1.5rem .75rem}.gh-card{padding:1.75rem 1.25rem}h1{font-size:1.375rem}}
@media (forced-colors:active){.gh-button{border-color:ButtonText}:focus-visible{outline-color:Highlight}}
`;

/** Accepted custom property names and values (mirrors the config schema). */
const NAME = /^--[a-z0-9-]+$/;
const VALUE = /^[#a-zA-Z0-9(),.% ]+$/;

/** Surface colours: a theme that sets one of them gets the light palette in every colour scheme. */
const SURFACE = ['--gh-bg', '--gh-card', '--gh-fg'];

/**
 * The theme stylesheet (served at `<basePath>/assets/theme.css`) from
 * `ui.colors`. Names and values are validated by the config schema; entries
 * that do not match the same patterns here are dropped, never escaped into CSS.
 * Theme colours apply in light and dark mode alike. When a theme sets a
 * surface colour (`--gh-bg`, `--gh-card`, `--gh-fg`) the built-in dark palette
 * would clash with it, so the page is pinned to the light palette plus the theme.
 *
 * @example
 * themeStylesheet({ '--gh-primary': '#0a7d4f' }); // ':root{--gh-primary:#0a7d4f;}\n'
 */
export function themeStylesheet(colors: Readonly<Record<string, string>>): string {
  const valid = Object.entries(colors).filter(([name, value]) => NAME.test(name) && VALUE.test(value) && name.length <= 64 && value.length <= 200);
  if (valid.length === 0) return '';
  const decls = declarations(Object.fromEntries(valid.map(([name, value]) => [name, value.trim()])));
  const pinLight = valid.some(([name]) => SURFACE.includes(name));
  return pinLight ? `:root{${declarations(PALETTES.light)}${decls}color-scheme:light}\n` : `:root{${decls}}\n`;
}
