/**
 * Vitest global setup: gives the run a folder where test files that skip for
 * a missing system program leave a record (test/helpers/requirements.ts), and
 * at the end of the run prints a short summary of what was skipped and why.
 * The folder is handed to the workers with `provide`, so it works with any
 * pool (forks, threads) and belongs to this run only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { readSkipRecords, skipSummary } from './skip-records.js';

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-skips-'));
  project.provide('gatehouseSkipDir', dir);
  return () => {
    const lines = skipSummary(readSkipRecords(dir));
    rmSync(dir, { recursive: true, force: true });
    if (lines.length > 0) process.stdout.write(`\n${lines.join('\n')}\n`);
  };
}
