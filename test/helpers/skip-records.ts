/**
 * The records that test files skipping for a missing system program leave
 * (written by requirements.ts in the workers) and the end-of-run summary of
 * them (printed by global-setup.ts in the main process). No vitest import:
 * the global setup runs outside the test workers.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The variable under which a missing program fails the run instead of skipping it. */
export const REQUIRE_ALL = 'GATEHOUSE_TEST_REQUIRE_ALL';

/** What one skipping file (or part of one) left for the summary. */
export interface SkipRecord {
  file: string;
  part?: string;
  missing: { program: string; reason: string; install: string }[];
}

/** Writes one record into the run's folder (one file each: workers never share a file). */
export function writeSkipRecord(dir: string, record: SkipRecord): void {
  const name = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`;
  writeFileSync(join(dir, name), JSON.stringify(record));
}

/** Every record in the run's folder. */
export function readSkipRecords(dir: string): SkipRecord[] {
  const records: SkipRecord[] = [];
  for (const name of readdirSync(dir)) {
    try {
      records.push(JSON.parse(readFileSync(join(dir, name), 'utf8')) as SkipRecord);
    } catch {
      /* a half-written record of a killed worker: nothing to report */
    }
  }
  return records;
}

/** The summary lines for the records, one group per missing program; none when nothing skipped. */
export function skipSummary(records: SkipRecord[]): string[] {
  if (records.length === 0) return [];
  const byProgram = new Map<string, { install: string; reason: string; where: Set<string> }>();
  for (const r of records) {
    const where = r.part ? `${r.file} (${r.part})` : r.file;
    for (const m of r.missing) {
      const entry = byProgram.get(m.program) ?? { install: m.install, reason: m.reason, where: new Set<string>() };
      entry.where.add(where);
      byProgram.set(m.program, entry);
    }
  }
  const files = new Set(records.map((r) => r.file));
  const lines = [`Skipped for missing system programs (${records.length} part(s) of ${files.size} test file(s); ${REQUIRE_ALL}=1 makes this a failure):`];
  for (const [program, e] of [...byProgram].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  ${program}: ${e.reason}; install: ${e.install}`);
    for (const w of [...e.where].sort()) lines.push(`    - ${w}`);
  }
  return lines;
}
