/** CLI string options take values that start with '-' (session ids, passwords). */
import { describe, expect, it } from 'vitest';
import { joinOptionValues } from '../../src/cli/option-values.js';

const OPTIONS = { sid: { type: 'string' }, json: { type: 'boolean' } } as const;

describe('joinOptionValues', () => {
  it('joins a string option with a value that starts with a dash', () => {
    expect(joinOptionValues(['--sid', '-abc', '--json'], OPTIONS)).toEqual(['--sid=-abc', '--json']);
  });
  it('leaves boolean options, joined forms, ordinary values and a trailing option alone', () => {
    expect(joinOptionValues(['--json', '-x'], OPTIONS)).toEqual(['--json', '-x']);
    expect(joinOptionValues(['--sid=-abc'], OPTIONS)).toEqual(['--sid=-abc']);
    expect(joinOptionValues(['--sid', 'abc'], OPTIONS)).toEqual(['--sid', 'abc']);
    expect(joinOptionValues(['--sid'], OPTIONS)).toEqual(['--sid']);
    expect(joinOptionValues(['--sid', '--'], OPTIONS)).toEqual(['--sid', '--']);
  });
});
