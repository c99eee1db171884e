import type { ComponentChildren, VNode } from 'preact';
import { render } from 'preact-render-to-string';
import { t, type Locale } from './i18n.js';

/** Branding of the built-in pages, from the `ui` config section. */
export interface ThemeView {
  /** Product name: shown as text when there is no logo, and in titles. */
  productName: string;
  /** `ui.logoUrl`: replaces the product name in the header. */
  logoUrl?: string;
  /** True when `ui.colors` is non-empty: links `<basePath>/assets/theme.css`. */
  hasTheme: boolean;
  /** `ui.stylesheetUrl`: an extra stylesheet loaded after the built-in ones. */
  stylesheetUrl?: string;
}

/** Props every full page shares. */
export interface PageBaseProps {
  locale: Locale;
  theme: ThemeView;
  /** `ui.basePath`, e.g. `/ui`; assets live under `<basePath>/assets/`. */
  basePath: string;
  /** OIDC Core §3.1.2.1 `display` of the request (page, popup, touch, wap), as `data-display` on the body. */
  display?: string;
}

/**
 * A URL safe to put in `href`/`src`: http(s) absolute or a same-origin path.
 * Anything else (`javascript:`, `data:` ...) yields undefined and is not rendered.
 */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  if (url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/\\')) return url;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Asset URL under the base path, tolerating a trailing slash on it. */
export function assetUrl(basePath: string, file: string): string {
  return `${basePath.replace(/\/+$/, '')}/assets/${file}`;
}

/** `<link>`s for the built-in, theme and custom stylesheets, in cascade order. */
export function Stylesheets(props: { basePath: string; theme?: ThemeView }): VNode {
  const { basePath, theme } = props;
  const custom = safeUrl(theme?.stylesheetUrl);
  return (
    <>
      <link rel="stylesheet" href={assetUrl(basePath, 'gatehouse.css')} />
      {theme?.hasTheme && <link rel="stylesheet" href={assetUrl(basePath, 'theme.css')} />}
      {custom && <link rel="stylesheet" href={custom} />}
    </>
  );
}

/** `<head>` content every page shares. */
export function HeadMeta(props: { title: string }): VNode {
  return (
    <>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="color-scheme" content="light dark" />
      <meta name="robots" content="noindex, nofollow" />
      <title>{props.title}</title>
    </>
  );
}

/** The page frame: header with logo or product name, a centered card as `<main>`, footer. */
export function Layout(props: PageBaseProps & { title: string; children: ComponentChildren }): VNode {
  const { locale, theme, basePath, title } = props;
  const m = t(locale);
  const logo = safeUrl(theme.logoUrl);
  return (
    <html lang={locale}>
      <head>
        <HeadMeta title={`${title} · ${theme.productName}`} />
        <Stylesheets basePath={basePath} theme={theme} />
      </head>
      <body data-display={props.display}>
        <div class="gh-page">
          <header class="gh-brand">
            {logo ? <img src={logo} alt={m.logoAlt(theme.productName)} /> : <span class="gh-brand-name">{theme.productName}</span>}
          </header>
          <main class="gh-card">{props.children}</main>
          <footer class="gh-footer">{m.footer(theme.productName)}</footer>
        </div>
      </body>
    </html>
  );
}

/**
 * Render a root `<html>` element to a complete document string.
 *
 * @example
 * renderDocument(<Layout {...base} title="Hi"><h1>Hi</h1></Layout>); // '<!doctype html><html lang="en">...'
 */
export function renderDocument(root: VNode): string {
  return `<!doctype html>${render(root)}`;
}
