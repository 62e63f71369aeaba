// The SVG line plot: nice ticks and labels, gaps for missing points, a lone point as a dot, and data
// placed exactly on the tick it equals.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTicks, linePlot, niceTicks } from '../../src/report';
import { segments } from '../../src/report/svg';
import { wellFormedProblems } from './wellFormed';

describe('ticks', () => {
  test('niceTicks covers the range with 1-2-5 steps', () => {
    assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(0, 0.0093), [0, 0.002, 0.004, 0.006, 0.008, 0.01]);
    assert.deepEqual(niceTicks(1, 24, 6, true), [0, 5, 10, 15, 20, 25]);
    assert.deepEqual(niceTicks(-0.013, 0.082), [-0.02, 0, 0.02, 0.04, 0.06, 0.08, 0.1]);
    assert.deepEqual(niceTicks(4, 6, 6, true), [4, 5, 6], 'integer axes never step below 1');
    assert.deepEqual(niceTicks(1200, 2450), [1000, 1500, 2000, 2500]);
    assert.throws(() => niceTicks(1, 1), /expected min < max, found 1, 1/);
  });

  test('formatTicks gives every label of an axis the same form', () => {
    assert.deepEqual(formatTicks([0, 0.2, 0.4, 0.6, 0.8, 1]), ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    assert.deepEqual(formatTicks([-0.02, 0, 0.02]), ['-0.02', '0.00', '0.02']);
    assert.deepEqual(formatTicks([0.08, 0.0805, 0.081]), ['0.0800', '0.0805', '0.0810'], 'a narrow range away from 0');
    assert.deepEqual(formatTicks([0, 5, 10, 15]), ['0', '5', '10', '15']);
    assert.deepEqual(formatTicks([0, 2e-4, 4e-4, 6e-4]), ['0', '2e-4', '4e-4', '6e-4']);
    assert.deepEqual(formatTicks([4e-4, 4.5e-4, 5e-4]), ['4e-4', '4.5e-4', '5e-4']);
    assert.deepEqual(formatTicks([10000, 12000, 14000]), ['10k', '12k', '14k']);
    assert.deepEqual(formatTicks([12000, 12500]), ['12k', '12.5k']);
    assert.deepEqual(formatTicks([0, 1_000_000, 2_000_000]), ['0', '1M', '2M']);
  });
});

/** [x, y] of each polyline vertex, per polyline. */
const polylines = (svg: string) =>
  [...svg.matchAll(/<polyline points="([^"]*)"/g)].map((m) => m[1].split(' ').map((p) => p.split(',').map(Number)));
const tickAt = (svg: string, cls: 'xtick' | 'ytick', label: string) => {
  const m = new RegExp(`<text class="${cls}" x="([\\d.]+)" y="([\\d.]+)"[^>]*?(?: data-y="([\\d.]+)")?>${label.replace('.', '\\.')}</text>`).exec(svg);
  assert.ok(m, `no ${cls} labelled ${label}`);
  return cls === 'xtick' ? Number(m[1]) : Number(m[3]);
};

describe('linePlot', () => {
  test('points land on the ticks they equal', () => {
    const svg = linePlot({ title: 'p', yInclude: [0, 1], series: [{ name: 's', color: '#000', points: [[0, 0], [4, 0.4], [10, 1]] }] });
    const [line] = polylines(svg);
    assert.deepEqual(line[0], [tickAt(svg, 'xtick', '0'), tickAt(svg, 'ytick', '0.0')]);
    assert.deepEqual(line[1], [tickAt(svg, 'xtick', '4'), tickAt(svg, 'ytick', '0.4')]);
    assert.deepEqual(line[2], [tickAt(svg, 'xtick', '10'), tickAt(svg, 'ytick', '1.0')]);
  });

  test('one <g class="series"> per series; a missing point splits a line; a lone point is a dot', () => {
    const points: Array<[number, number | null]> = Array.from({ length: 60 }, (_, i) => [i, i === 30 ? null : Math.sin(i / 5)]);
    const svg = linePlot({
      title: 'gaps',
      series: [
        { name: 'gappy', color: '#111', points },
        { name: 'nan', color: '#222', points: [[0, 1], [1, NaN], [2, 3], [3, Infinity]] },
        { name: 'missing', color: '#333', points: [] },
      ],
    });
    assert.deepEqual(wellFormedProblems(svg), []);
    const groups = [...svg.matchAll(/<g class="series" data-series="([^"]*)">(.*?)<\/g>/g)];
    assert.deepEqual(groups.map((g) => g[1]), ['gappy', 'nan', 'missing']);
    assert.equal(polylines(groups[0][2]).length, 2, 'split at the null');
    assert.equal((groups[0][2].match(/<circle/g) ?? []).length, 0, 'no dots on a long series');
    assert.equal(polylines(groups[1][2]).length, 0);
    assert.equal((groups[1][2].match(/<circle/g) ?? []).length, 2, 'two lone points');
    assert.equal(groups[2][2], '');
    assert.deepEqual(segments([[0, 1], [1, null], [2, undefined], [3, 2], [4, 3]]), [[[0, 1]], [[3, 2], [4, 3]]]);
  });

  test('a single point gets a padded domain and a dot; no data says so', () => {
    const one = linePlot({ title: 'one', series: [{ name: 's', color: '#000', points: [[3, 0.5]] }] });
    assert.match(one, /viewBox="0 0 560 300"/);
    assert.equal(polylines(one).length, 0);
    const dot = /<circle cx="([\d.]+)" cy="([\d.]+)"/.exec(one)!;
    assert.equal(Number(dot[1]), tickAt(one, 'xtick', '3'));
    assert.equal(Number(dot[2]), tickAt(one, 'ytick', '0.50'));
    const none = linePlot({ title: 'none', xLabel: 'x', yLabel: 'y', series: [{ name: 's', color: '#000', points: [[1, null]] }] });
    assert.match(none, /no data yet/);
    assert.deepEqual(wellFormedProblems(none), []);
  });

  test('text is escaped', () => {
    const svg = linePlot({ title: 'a < b & "c"', series: [{ name: "<agent's>", color: '#000', points: [[0, 1]] }] });
    assert.deepEqual(wellFormedProblems(svg), []);
    assert.match(svg, /a &lt; b &amp; &quot;c&quot;/);
    assert.match(svg, /&lt;agent&#39;s&gt;/);
  });
});
