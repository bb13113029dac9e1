// Unit tests for delta.ts: the order fingerprint agrees with the kernel's, and deltas, applied as the kernel
// applies them (docs/protocol.md, Deltas), always rebuild the notebook the frontend has.

import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';

import { DeltaMessage, gapsOf, ICodeCells, IGaps, orderFingerprint, SyncTracker } from './delta';
import { ISyncCell } from './protocol';

// The same table is in tests/test_delta.py: the kernel and the extension must agree.
const FINGERPRINTS: Array<[string[], number]> = [
  [[], 0],
  [['a'], 3904355907],
  [['a', 'b'], 4010250491],
  [['b', 'a'], 1950908184],
  [['ab'], 2659403885],
  [['0b3e2a5c-7f1d-4c3e-9a8b-1d2e3f4a5b6c', 'c1'], 3945832422],
  [['é', 'ß'], 3573857303],
  [['\ud800x'], 1861164708]
];

suite('orderFingerprint', () => {
  for (const [ids, expected] of FINGERPRINTS) {
    test(`${JSON.stringify(ids)} is ${expected}`, () => assert.equal(orderFingerprint(ids), expected));
  }
});

/** A notebook as the tracker sees it: every cell, any type, in order. */
class Notebook implements ICodeCells {
  cells: ISyncCell[] = [];
  orderReads = 0;

  order(): string[] {
    this.orderReads += 1;
    return this.codeCells().map(c => c.id);
  }

  gaps(): IGaps {
    return gapsOf(this.cells);
  }

  entry(id: string): ISyncCell | undefined {
    const cell = this.cells.find(c => c.id === id);
    return cell && cell.cell_type === 'code' ? { ...cell } : undefined;
  }

  codeCells(): ISyncCell[] {
    return this.cells.filter(c => c.cell_type === 'code').map(c => ({ ...c }));
  }
}

const code = (id: string, source = `${id} = 1`, extra: Partial<ISyncCell> = {}): ISyncCell => ({
  id,
  source,
  cell_type: 'code',
  disabled: false,
  cache: 'off',
  ...extra
});

/** The kernel's side: its code cells, changed by a delta as reactive_kernel/core/delta.py does. */
function apply(kernel: ISyncCell[], delta: DeltaMessage): ISyncCell[] {
  const deleted = new Set(delta.deleted);
  const placed = new Set(delta.cells.filter(c => 'after' in c).map(c => c.id));
  const byId = new Map(kernel.map(c => [c.id, c]));
  let result = kernel.filter(c => !deleted.has(c.id) && !placed.has(c.id));
  for (const change of delta.cells) {
    const was = byId.get(change.id);
    assert.ok(was || ('after' in change && change.source !== undefined), `unknown cell ${change.id}`);
    const now: ISyncCell = {
      id: change.id,
      source: change.source ?? was!.source,
      cell_type: 'code',
      disabled: change.disabled ?? was?.disabled ?? false,
      cache: change.cache ?? was?.cache ?? 'off'
    };
    const title = change.title !== undefined ? change.title : was?.title;
    if (title) {
      now.title = title;
    }
    if ('after' in change) {
      const at = change.after === null ? 0 : result.findIndex(c => c.id === change.after) + 1;
      assert.ok(at > 0 || change.after === null, `after an unknown cell ${change.after}`);
      result = [...result.slice(0, at), now, ...result.slice(at)];
    } else {
      result = result.map(c => (c.id === change.id ? now : c));
    }
  }
  assert.equal(delta.order, orderFingerprint(result.map(c => c.id)), 'the order differs');
  return result;
}

/** The kernel's counts of other cells around its code cells, changed by a delta (kernel/labels.py). */
function applyGaps(gaps: { top: number; below: Map<string, number> }, delta: DeltaMessage): void {
  delta.deleted.forEach(id => gaps.below.delete(id));
  delta.cells.forEach(c => c.below !== undefined && gaps.below.set(c.id, c.below));
  gaps.top = delta.top ?? gaps.top;
}

/** Each code cell's position, every cell counted, as the kernel works it out from its order and gaps. */
function positions(order: readonly string[], gaps: IGaps): number[] {
  let at = gaps.top;
  return order.map(id => {
    at += 1;
    const mine = at;
    at += gaps.below.get(id) ?? 0;
    return mine;
  });
}

function started(cells: ISyncCell[]): { notebook: Notebook; tracker: SyncTracker; kernel: ISyncCell[] } {
  const notebook = new Notebook();
  notebook.cells = cells;
  const tracker = new SyncTracker(notebook);
  const whole = tracker.full(notebook.cells);
  return { notebook, tracker, kernel: whole.cells.filter(c => c.cell_type === 'code') };
}

suite('SyncTracker', () => {
  test('numbers the whole notebook, then each delta builds on the message before', () => {
    const { notebook, tracker } = started([code('a'), code('b')]);
    assert.equal(tracker.full(notebook.cells).rev, 2);
    notebook.cells[0].source = 'a = 2';
    tracker.edited('a');
    const delta = tracker.delta()!;
    assert.deepEqual([delta.base, delta.rev], [2, 3]);
    assert.deepEqual(delta.cells, [{ id: 'a', source: 'a = 2' }]);
    assert.equal(delta.order, orderFingerprint(['a', 'b']));
  });

  test('a one-cell edit costs the same bytes in a notebook of 10 or 2,000 cells, reading no order', () => {
    const sizes = [10, 2000].map(n => {
      const { notebook, tracker } = started(Array.from({ length: n }, (_, i) => code(`cell-${i}`)));
      notebook.cells[5].source = 'x = 2';
      tracker.edited('cell-5');
      const delta = tracker.delta()!;
      assert.equal(notebook.orderReads, 0);
      return JSON.stringify({ ...delta, order: 0 }).length;
    });
    assert.equal(sizes[0], sizes[1]);
  });

  test('nothing changed, or a markdown cell changed: no message', () => {
    const { notebook, tracker } = started([code('a'), { id: 'm', source: '# hi', cell_type: 'markdown' }]);
    assert.equal(tracker.delta(), null);
    notebook.cells[1].source = '# hello';
    tracker.edited('m');
    tracker.edited('a'); // outputs or other metadata changed: the same source and options
    assert.equal(tracker.delta(), null);
  });

  test('inserts, moves, deletes, type changes and options come out in notebook order', () => {
    const { notebook, tracker, kernel } = started([code('a'), code('b'), code('c'), code('d')]);
    notebook.cells = [code('n', 'n = 0'), code('c'), code('a'), { ...code('b'), cell_type: 'markdown' }];
    notebook.cells[2].disabled = true;
    tracker.reshaped(['n', 'c', 'b']);
    tracker.edited('a');
    const delta = tracker.delta()!;
    assert.deepEqual(delta.cells, [
      { id: 'n', after: null, source: 'n = 0', disabled: false, cache: 'off' },
      { id: 'c', after: 'n' },
      { id: 'a', disabled: true, below: 1 } // `b` is a markdown cell below it now
    ]);
    assert.deepEqual(delta.deleted, ['b', 'd']);
    assert.deepEqual(apply(kernel, delta), notebook.codeCells());
  });

  test('a markdown cell inserted, moved or deleted changes the gap counts of the code cells around it only', () => {
    const md = (id: string): ISyncCell => ({ id, source: '# md', cell_type: 'markdown' });
    const { notebook, tracker } = started([code('a'), code('b'), md('m'), code('c')]);
    notebook.cells = [md('t'), code('a'), code('b'), md('m'), code('c')];
    tracker.reshaped(['t']);
    assert.deepEqual(tracker.delta()!.cells, []);
    notebook.cells = [md('t'), code('a'), md('m'), code('b'), code('c')];
    tracker.reshaped(['m']);
    const moved = tracker.delta()!;
    assert.deepEqual([moved.cells, moved.top], [[{ id: 'a', below: 1 }, { id: 'b', below: 0 }], undefined]);
    notebook.cells = [code('a'), md('m'), code('b'), code('c')];
    tracker.reshaped([]);
    assert.deepEqual(tracker.delta()!.top, 0);
  });

  test('a title set or cleared goes in the delta', () => {
    const { notebook, tracker } = started([code('a'), code('b', 'y = 1', { title: 'load' })]);
    notebook.cells[0].title = 'first';
    delete notebook.cells[1].title;
    tracker.edited('a');
    tracker.edited('b');
    assert.deepEqual(tracker.delta()!.cells, [
      { id: 'a', title: 'first' },
      { id: 'b', title: '' }
    ]);
  });

  test('a resync wants the whole notebook only for deltas after the last whole one', () => {
    const { notebook, tracker } = started([code('a')]);
    for (const source of ['a = 2', 'a = 3']) {
      notebook.cells[0].source = source;
      tracker.edited('a');
      tracker.delta();
    }
    assert.ok(tracker.wantsWhole(2) && tracker.wantsWhole(null));
    tracker.full(notebook.cells); // rev 4
    assert.ok(!tracker.wantsWhole(3) && tracker.wantsWhole(5));
    tracker.reset();
    assert.ok(!tracker.started && tracker.wantsWhole(1));
  });

  test('random edits, sent as deltas and applied as the kernel does, rebuild the notebook', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    let next = 0;
    const fresh = (): ISyncCell => (random(4) === 0 ? { ...code(`m${next++}`), cell_type: 'markdown' } : code(`c${next++}`));
    const { notebook, tracker } = started(Array.from({ length: 6 }, fresh));
    let kernel = notebook.codeCells();
    const gaps = { ...gapsOf(notebook.cells), below: new Map(gapsOf(notebook.cells).below) };
    for (let round = 0; round < 300; round++) {
      for (let step = random(4); step >= 0; step--) {
        const cells = notebook.cells;
        const at = random(cells.length + 1);
        const kind = cells.length === 0 ? 0 : random(6);
        if (kind === 0) {
          const cell = fresh();
          cells.splice(at, 0, cell); // JupyterLab: an `add` event with the new cell
          tracker.reshaped([cell.id]);
        } else if (kind === 1) {
          cells.splice(random(cells.length), 1); // a `remove` event: which cell is not said
          tracker.reshaped([]);
        } else if (kind === 2) {
          const [moved] = cells.splice(random(cells.length), 1); // a move: remove, then add it again
          cells.splice(random(cells.length + 1), 0, moved);
          tracker.reshaped([moved.id]);
        } else if (kind === 5) {
          const cell = cells[random(cells.length)]; // a type change: JupyterLab replaces the cell, same id
          cell.cell_type = cell.cell_type === 'code' ? 'markdown' : 'code';
          tracker.reshaped([cell.id]);
        } else {
          const cell = cells[random(cells.length)];
          if (kind === 3) {
            cell.source = `${cell.id} = ${round}`;
          } else if (random(3) === 0) {
            cell.title = random(2) ? `t${round}` : undefined;
          } else {
            cell.disabled = !cell.disabled;
          }
          tracker.edited(cell.id);
        }
      }
      const delta = tracker.delta();
      if (delta) {
        kernel = apply(kernel, delta);
        applyGaps(gaps, delta);
      }
      const codeCells = notebook.codeCells().map(c => {
        const { title, ...rest } = c;
        return title ? c : rest;
      });
      assert.deepEqual(kernel, codeCells, `round ${round}`);
      const order = kernel.map(c => c.id);
      assert.deepEqual(positions(order, gaps), positions(order, notebook.gaps()), `positions, round ${round}`);
    }
  });
});
