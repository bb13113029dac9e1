// Unit tests of where the active cell's badge goes beside JupyterLab's cell toolbar (clearance.ts).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { IBox, toolbarClearance } from './clearance';

const box = (left: number, top: number, right: number, bottom: number): IBox => ({ left, top, right, bottom });
const BADGE = 14; // the badge's height (its line height)

// A one-line cell's input: 1000 px wide, 28 px high; the toolbar at its top right, 25 px high.
const ONE_LINE = box(100, 200, 1100, 228);

const CASES: Array<[string, IBox | null, IBox, number]> = [
  ['no toolbar', null, ONE_LINE, 0],
  ['a toolbar at the top right of a one-line cell: move left of it', box(930, 200, 1097, 225), ONE_LINE, 170],
  ['fractional edges round up', box(930.4, 200, 1097, 225), ONE_LINE, 170],
  ['hidden (JupyterLab hides it when the code reaches under it): zero size', box(0, 0, 0, 0), ONE_LINE, 0],
  ['a tall cell: the toolbar ends above the badge', box(930, 200, 1097, 225), box(100, 200, 1100, 400), 0],
  ['a two-line cell: the badge still meets the toolbar', box(930, 200, 1097, 225), box(100, 200, 1100, 240), 170],
  ['just touching the badge top is clear', box(930, 200, 1097, 212), ONE_LINE, 0],
  ['a toolbar below the input does not matter', box(930, 230, 1097, 255), ONE_LINE, 0]
];

for (const [name, toolbar, host, expected] of CASES) {
  test(`toolbarClearance: ${name}`, () => {
    assert.equal(toolbarClearance(toolbar, host, BADGE), expected);
  });
}
