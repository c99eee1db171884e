/**
 * Lets a string option take a value that starts with `-` (a session id, a
 * password): node's parseArgs refuses `--sid -xyz` as ambiguous in strict
 * mode, so `--name value` is joined into `--name=value` for every string
 * option before parsing. Other arguments pass through unchanged.
 */
export function joinOptionValues(args: readonly string[], options: Readonly<Record<string, { type: 'string' | 'boolean' }>>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    const next = args[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && next.startsWith('-') && next !== '--') {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}
