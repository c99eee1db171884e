/** Configuration problems: errors that stop startup and warnings that name an insecure setting. */

/** One invalid value: where it is (`clients[2].redirectUris[0]`) and why. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** An insecure but legal setting, or a setting that has no effect. Startup logs these. */
export interface ConfigWarning {
  path: string;
  message: string;
}

/**
 * Thrown when a configuration is invalid. `issues` lists every problem found,
 * not just the first; `message` is a readable multi-line summary.
 *
 * @example
 * try { parseConfig(input) } catch (e) {
 *   if (e instanceof ConfigError) for (const i of e.issues) console.error(`${i.path}: ${i.message}`);
 * }
 */
export class ConfigError extends Error {
  constructor(
    readonly issues: readonly ConfigIssue[],
    readonly source?: string,
  ) {
    const where = source ? ` in ${source}` : '';
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super([`Invalid configuration${where} (${count}):`, ...issues.map((i) => `  ${i.path}: ${i.message}`)].join('\n'));
  }

  override get name(): string {
    return 'ConfigError';
  }
}

/**
 * Formats a path as in a JavaScript accessor: `['clients', 2, 'redirectUris', 0]`
 * becomes `clients[2].redirectUris[0]`; keys that are not identifiers are quoted.
 *
 * @example formatPath(['users', 0, 'claims', 'https://x']) // 'users[0].claims["https://x"]'
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][\w$]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out || '(root)';
}
