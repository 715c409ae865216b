import { strict as assert } from 'node:assert';
import { parsePhaseSpec, resolveSelection } from '../../src/core/selection.js';
import { PlatformError } from '../../src/core/errors.js';

const ALL = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;

describe('phase selection', () => {
  const good: [string, number[]][] = [
    ['4', [4]],
    ['0', [0]],
    ['10', [10]],
    ['2..5', [2, 3, 4, 5]],
    ['2,4', [2, 4]],
    ['4,2,2', [2, 4]],
    ['0..2,5', [0, 1, 2, 5]],
    ['3..3', [3]],
  ];
  for (const [spec, ids] of good) {
    it(`--phase ${spec} selects ${ids.join(',')}`, () => assert.deepEqual(parsePhaseSpec(spec), ids));
  }

  const bad: [string, RegExp][] = [
    ['11', /invalid phase '11': 11 is outside 0-10/],
    ['-1', /invalid phase '-1': '-1' is not a whole number/],
    ['3a', /invalid phase '3a': '3a' is not a whole number/],
    ['5..2', /invalid phase range '5\.\.2': 5 is after 2/],
    ['', /invalid phase '': empty/],
    ['2..', /'' is not a whole number/],
    ['1.5', /'1.5' is not a whole number/],
  ];
  for (const [spec, msg] of bad) {
    it(`--phase '${spec}' is a usage error (exit 2) naming the value`, () => {
      assert.throws(() => parsePhaseSpec(spec), (e: unknown) => e instanceof PlatformError && e.exitCode === 2 && msg.test(e.message) && /--phase 2\.\.5|--phase \d+\.\.\d+/.test(e.hint ?? ''));
    });
  }

  it('--from N selects N and every later phase, reporting program-less ones', () => {
    const s = resolveSelection({ from: '8' }, ALL);
    assert.deepEqual(s.ids, [8, 9, 10]);
    assert.equal(s.explicit, false);
  });
  it('--all is broad, --phase is explicit', () => {
    assert.equal(resolveSelection({ all: true }, ALL).explicit, false);
    assert.equal(resolveSelection({ phase: '1' }, ALL).explicit, true);
  });
  it('refuses two selectors and none', () => {
    assert.throws(() => resolveSelection({ all: true, phase: '1' }, ALL), /choose one of --phase, --from and --all/);
    assert.throws(() => resolveSelection({}, ALL), /no phases selected/);
  });
});
