/**
 * Loading a configuration: JSON, YAML (.yaml/.yml) or an IdentityServer
 * `appsettings.json` (recognised by its top-level `IdentityServer` key).
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { isAppSettings, mapAppSettings } from './appsettings.js';
import { ConfigError, type ConfigWarning } from './config-error.js';
import type { Config, ConfigInput } from './schema.js';
import { validateConfig, type ValidateOptions } from './validate.js';

export type ParseConfigOptions = ValidateOptions;

/**
 * Validates a configuration object (native model or appsettings document).
 * Throws {@link ConfigError} listing every invalid value with its path.
 *
 * @example
 * const { config, warnings } = parseConfig(JSON.parse(text));
 * for (const w of warnings) logger.warn(`${w.path}: ${w.message}`);
 */
export function parseConfig(input: unknown, opts: ParseConfigOptions = {}): { config: Config; warnings: ConfigWarning[] } {
  if (!isAppSettings(input)) return validateConfig(input, opts);
  const mapped = mapAppSettings(input);
  let result: { config: Config; warnings: ConfigWarning[] };
  try {
    result = validateConfig(mapped.input, opts);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError([...mapped.issues, ...err.issues], opts.source);
    throw err;
  }
  if (mapped.issues.length > 0) throw new ConfigError(mapped.issues, opts.source);
  return { config: result.config, warnings: [...mapped.warnings, ...result.warnings] };
}

/**
 * Reads a configuration file into the native input model (appsettings mapped).
 * Prefer {@link loadConfig}, which also validates and keeps appsettings warnings.
 *
 * @example const input = await loadConfigFile('config/demo.json');
 */
export async function loadConfigFile(path: string): Promise<ConfigInput> {
  const doc = await readConfigDocument(path);
  return (isAppSettings(doc) ? mapAppSettings(doc).input : doc) as ConfigInput;
}

/**
 * Reads and validates a configuration file.
 *
 * @example const { config, warnings } = await loadConfig('gatehouse.yaml');
 */
export async function loadConfig(path: string, opts: ParseConfigOptions = {}): Promise<{ config: Config; warnings: ConfigWarning[] }> {
  return parseConfig(await readConfigDocument(path), { source: path, ...opts });
}

/** The parsed document of a file, as written. Syntax errors become a ConfigError naming the file. */
export async function readConfigDocument(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '(file)', message: `cannot read: ${(err as Error).message}` }], path);
  }
  try {
    const ext = extname(path).toLowerCase();
    if (ext !== '.yaml' && ext !== '.yml') return parseJson(text);
    // Loaded for YAML files only: a JSON-configured server does not keep the parser (memory).
    const { parse: parseYaml } = await import('yaml');
    return parseYaml(text);
  } catch (err) {
    throw new ConfigError([{ path: '(file)', message: `syntax error: ${(err as Error).message}` }], path);
  }
}

/** JSON, also as .NET configuration reads it: comments and trailing commas allowed. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (strictError) {
    try {
      return JSON.parse(stripCommentsAndTrailingCommas(text));
    } catch {
      throw strictError;
    }
  }
}

function stripCommentsAndTrailingCommas(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
      out += ' ';
    } else if (ch !== ',' || !closesNext(text, i + 1)) out += ch;
  }
  return out;
}

/** Does only whitespace stand between `from` and a closing bracket? */
function closesNext(text: string, from: number): boolean {
  const sticky = /\s*[}\]]/y;
  sticky.lastIndex = from;
  return sticky.test(text);
}
