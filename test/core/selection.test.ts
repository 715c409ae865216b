import { strict as assert } from 'node:assert';
import { parsePhaseSpec, resolveSelection, slugMap } from '../../src/core/selection.js';
import { phases } from '../../programs/registry.js';
import { PlatformError } from '../../src/core/errors.js';

const ALL = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;

describe('phase selection', () => {
  describe('names, dashes and repeats (newcomer review, section 5 item 10)', () => {
    const names = slugMap(phases);
    it('a phase is selected by its slug, alone, in a range and in a list', () => {
      assert.deepEqual(parsePhaseSpec('cluster', names), [2]);
      assert.deepEqual(parsePhaseSpec('foundation..gitops', names), [1, 2, 3]);
      assert.deepEqual(parsePhaseSpec('organization,data', names), [0, 4]);
      assert.deepEqual(resolveSelection({ from: 'resilience' }, ALL, names).ids, [8, 9, 10]);
    });
    it('an unknown name lists the names; without the registry a name is not a number', () => {
      assert.throws(() => parsePhaseSpec('clustr', names), (e: PlatformError) => /'clustr' is not a whole number or a phase name/.test(e.message) && /2 cluster/.test(e.hint ?? ''));
      assert.throws(() => parsePhaseSpec('cluster'), (e: PlatformError) => /'cluster' is not a whole number$/.test(e.message));
    });
    it("'2-5' is answered with the range it meant, 2..5", () => {
      assert.throws(() => parsePhaseSpec('2-5', names), (e: PlatformError) => e.message === "invalid phase '2-5': a range is written with '..'" && e.hint === 'did you mean --phase 2..5?');
    });
  });


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
