/** Tiny helpers to inspect the (well-formed, preact-generated) HTML of the pages in tests. */

export type Attrs = Record<string, string | true>;

const ATTR = /([^\s=>/]+)(?:="([^"]*)")?/g;

function unescape(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Attributes of every `<name ...>` start tag, in document order. */
export function tags(html: string, name: string): Attrs[] {
  const re = new RegExp(`<${name}((?:\\s+[^\\s=>/]+(?:="[^"]*")?)*)\\s*/?>`, 'gi');
  const out: Attrs[] = [];
  for (const match of html.matchAll(re)) {
    const attrs: Attrs = {};
    for (const a of (match[1] ?? '').matchAll(ATTR)) attrs[a[1]] = a[2] === undefined ? true : unescape(a[2]);
    out.push(attrs);
  }
  return out;
}

/** Inner HTML of every `<form>` (forms never nest). */
export function forms(html: string): { attrs: Attrs; body: string }[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map((m) => ({
    attrs: tags(`<form${m[1]}>`, 'form')[0],
    body: m[2],
  }));
}

/** Visible text with tags stripped and entities decoded. */
export function text(html: string): string {
  return unescape(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ');
}

/**
 * Structural checks every page must pass: doctype, lang, no inline style,
 * no script without a nonce, every label's `for` names an existing id, ids unique.
 */
export function structuralProblems(html: string): string[] {
  const problems: string[] = [];
  if (!html.startsWith('<!doctype html>')) problems.push('no doctype');
  if (!/^<!doctype html><html lang="[a-z]{2}"/.test(html)) problems.push('no lang');
  if (/<style/i.test(html)) problems.push('inline style element');
  for (const attrs of tags(html, '[a-z][a-z0-9]*')) {
    for (const name of Object.keys(attrs)) {
      if (name.toLowerCase() === 'style') problems.push('inline style attribute');
      if (/^on/i.test(name)) problems.push(`inline event handler ${name}`);
    }
  }
  for (const s of tags(html, 'script')) if (typeof s.nonce !== 'string') problems.push('script without nonce');
  const ids = [...html.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]);
  if (new Set(ids).size !== ids.length) problems.push(`duplicate ids: ${ids.join(',')}`);
  for (const label of tags(html, 'label')) {
    if (typeof label.for !== 'string' || !ids.includes(label.for)) problems.push(`label for=${String(label.for)} has no target`);
  }
  for (const ref of html.matchAll(/\saria-(?:describedby|labelledby)="([^"]*)"/g)) {
    if (!ids.includes(ref[1])) problems.push(`aria reference ${ref[1]} has no target`);
  }
  return problems;
}
