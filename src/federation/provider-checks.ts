/** Startup checks of the configured external providers: unusable ones and duplicate names fail the configuration. */
import { formatPath, type ConfigIssue } from '../config/config-error.js';
import type { ExternalProviderConfig } from './provider-schema.js';
import { providerProblems } from './presets.js';

export function externalProviderIssues(providers: readonly ExternalProviderConfig[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  providers.forEach((p, i) => {
    const path = formatPath(['externalProviders', i]);
    if (seen.has(p.name)) issues.push({ path, message: `duplicate external provider "${p.name}"` });
    seen.add(p.name);
    for (const problem of providerProblems(p)) issues.push({ path, message: problem.replace(`${p.name}: `, '') });
  });
  return issues;
}
