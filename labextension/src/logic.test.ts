// Unit tests for the pure logic, run with node's test runner on the compiled output (jlpm test).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe as suite, test } from 'node:test';

import {
  badgeText,
  cacheMode,
  cellLabel,
  definitionsFor,
  describe,
  describeReads,
  ENGLISH,
  fixText,
  formatLabel,
  ITrans,
  linkCells,
  MAX_ATTEMPTS,
  messageErrors,
  RunQueue,
  sourceEdit,
  statusBarParts,
  statusBarText,
  syncCell,
  titleOf,
  toggledCacheMode,
  withCacheMode
} from './logic';
import { ICellState, IFix, parseKernelMessage, Status } from './protocol';
import { StateStore } from './states';

const state = (status: Status, extra: Partial<ICellState> = {}): ICellState => ({
  status,
  defs: [],
  refs: [],
  parents: [],
  children: [],
  error: null,
  warnings: [],
  cached: false,
  origins: {},
  name: null,
  raised: false,
  fixes: [],
  ...extra
});

suite('RunQueue', () => {
  const queued = () => true;

  test('sends the whole list ahead and counts progress as cells start', () => {
    const q = new RunQueue();
    q.replace(['b', 'c']);
    assert.deepEqual(q.due(queued), ['b', 'c']);
    q.sent('b');
    q.sent('c');
    assert.deepEqual(q.due(queued), []);
    assert.deepEqual(q.progress, { done: 0, total: 2 });
    q.started('b');
    q.finished('b');
    assert.deepEqual(q.progress, { done: 1, total: 2 });
    q.started('c');
    q.finished('c');
    assert.equal(q.progress, null);
    assert.equal(q.inflight, 0);
  });

  test('sends only cells that are ready', () => {
    const q = new RunQueue();
    q.replace(['b', 'c', 'd']);
    assert.deepEqual(
      q.due(id => id !== 'c'),
      ['b', 'd']
    );
  });

  test('a skipped cell still queued is sent again, at most MAX_ATTEMPTS times per list', () => {
    const q = new RunQueue();
    q.replace(['c']);
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      assert.deepEqual(q.due(queued), ['c']);
      q.sent('c');
      q.finished('c'); // came back without starting
    }
    assert.deepEqual(q.due(queued), []);
    q.replace(['c']); // a new list from the kernel: try again
    assert.deepEqual(q.due(queued), ['c']);
  });

  test('a started cell is not sent again for the same list', () => {
    const q = new RunQueue();
    q.replace(['b', 'c']);
    q.sent('b');
    q.started('b');
    q.finished('b');
    assert.deepEqual(q.due(queued), ['c']);
  });

  test('a new list keeps what is in flight and counts the cascade on', () => {
    const q = new RunQueue();
    q.replace(['b', 'c']);
    q.sent('b');
    q.sent('c');
    q.started('b');
    q.finished('b');
    q.replace(['c', 'd', 'e']);
    assert.deepEqual(q.due(queued), ['d', 'e']);
    assert.deepEqual(q.progress, { done: 1, total: 4 });
  });

  test('cells JupyterLab runs itself (Run All) count as done, and the cascade ends with the last', () => {
    const q = new RunQueue();
    const status = new Map<string, Status>([
      ['b', 'queued'],
      ['c', 'queued'],
      ['d', 'queued']
    ]);
    q.replace(['b', 'c', 'd']);
    assert.deepEqual(
      q.due(() => false),
      [],
      'Run All already sent every cell: none is ready here'
    );
    q.reconcile(id => status.get(id));
    assert.deepEqual(q.progress, { done: 0, total: 3 });
    status.set('b', 'running'); // a state naming it running: still waiting
    q.reconcile(id => status.get(id));
    assert.deepEqual(q.progress, { done: 0, total: 3 });
    status.set('b', 'fresh');
    q.reconcile(id => status.get(id));
    assert.deepEqual(q.progress, { done: 1, total: 3 });
    status.set('c', 'fresh');
    status.set('d', 'error');
    q.reconcile(id => status.get(id));
    assert.equal(q.progress, null, 'the status bar must return to idle');
  });

  test('a cell sent ahead stays counted until its reply, whatever the states say', () => {
    const q = new RunQueue();
    q.replace(['b', 'c']);
    q.sent('b');
    q.sent('c');
    q.started('b');
    q.reconcile(() => 'fresh'); // b finished in the kernel before its reply reached us
    assert.deepEqual(q.progress, { done: 1, total: 2 });
    q.finished('b');
    q.reconcile(() => 'fresh');
    assert.deepEqual(q.progress, { done: 1, total: 2 }, 'c is still in flight');
    q.finished('c'); // skipped, since it ran elsewhere: no state comes for a skipped cell
    q.reconcile(() => 'fresh');
    assert.equal(q.progress, null);
  });

  test('a listed cell the kernel no longer knows or dropped is not waited for', () => {
    const q = new RunQueue();
    q.replace(['b', 'c']);
    q.reconcile(id => (id === 'b' ? 'stale' : undefined));
    assert.equal(q.progress, null);
    assert.deepEqual(q.due(() => true), [], 'and it is not sent for this list');
  });

  test('an empty list stops sending but waits for what is in flight', () => {
    const q = new RunQueue();
    q.replace(['b', 'c']);
    q.sent('b');
    q.replace([]);
    assert.deepEqual(q.due(queued), []);
    assert.equal(q.inflight, 1);
    q.finished('b');
    assert.equal(q.progress, null);
  });
});

suite('StateStore', () => {
  test('merges partial states and counts', () => {
    const store = new StateStore();
    store.merge({ a: state('fresh'), b: state('stale') });
    store.merge({ b: state('error') });
    assert.equal(store.get('b')?.status, 'error');
    assert.deepEqual(store.counts(['a', 'b']), { fresh: 1, error: 1 });
    store.retain(['a']);
    assert.equal(store.get('b'), undefined);
  });

  test('totals count every status as states arrive, change and go, without walking the cells', () => {
    const store = new StateStore();
    const statuses: Status[] = ['fresh', 'stale', 'error', 'queued', 'blocked'];
    let seed = 3;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const ids = Array.from({ length: 12 }, (_, i) => `c${i}`);
    for (let step = 0; step < 500; step++) {
      const id = ids[random(ids.length)];
      const kind = random(5);
      if (kind < 2) {
        store.merge({ [id]: state(statuses[random(statuses.length)]) });
      } else if (kind === 2) {
        store.setStatus(id, 'running');
      } else if (kind === 3) {
        store.forget([id]);
      } else {
        store.retain(ids.filter(() => random(4) > 0));
      }
      assert.deepEqual(store.totals(), store.counts(ids), `step ${step}`);
    }
    store.clear();
    assert.deepEqual(store.totals(), {});
  });

  test('merge answers the cells to redraw, and those renamed: labels elsewhere show their names', () => {
    const store = new StateStore();
    assert.deepEqual(store.merge({ a: state('fresh', { name: 'x' }), b: state('fresh') }), {
      changed: ['a', 'b'],
      renamed: []
    });
    assert.deepEqual(store.merge({ a: state('stale', { name: 'x' }) }), { changed: ['a'], renamed: [] });
    assert.deepEqual(store.merge({ a: state('stale', { name: 'load' }) }), { changed: ['a'], renamed: ['a'] });
    assert.deepEqual(store.merge({ b: state('fresh', { name: 'y' }) }), { changed: ['b'], renamed: ['b'] });
  });

  test('setStatus keeps the rest of the state', () => {
    const store = new StateStore();
    store.merge({ a: state('queued', { defs: ['x'] }) });
    store.setStatus('a', 'running');
    assert.deepEqual(store.get('a'), state('running', { defs: ['x'] }));
  });
});

suite('texts', () => {
  const cases: Array<[string, Partial<Record<Status, number>>, { done: number; total: number } | null, string]> = [
    ['idle', { fresh: 3 }, null, 'reactive: autorun'],
    ['attention', { stale: 2, error: 1 }, null, 'reactive: autorun · 2 stale, 1 error'],
    ['cascade', { queued: 4 }, { done: 3, total: 7 }, 'reactive: autorun · running 3/7']
  ];
  for (const [name, counts, progress, expected] of cases) {
    test(`status bar: ${name}`, () => assert.equal(statusBarText('autorun', counts, progress), expected));
  }

  const errorCases: Array<[string, Partial<ICellState> & { status: Status }, string[]]> = [
    ['blocked: which cell raised', { status: 'blocked', error: 'cell [[cell:b]] raised an exception' }, ['cell [[cell:b]] raised an exception']],
    ['refused: a multiple definition', { status: 'error', error: 'cell [[cell:a]] defines ...' }, ['cell [[cell:a]] defines ...']],
    ['its own exception: the traceback shows it', { status: 'error', error: 'ZeroDivisionError: division by zero', raised: true }, []],
    ['interrupted: the traceback shows it', { status: 'stale', error: 'KeyboardInterrupt: ', raised: true }, []],
    ['disabled', { status: 'disabled', error: 'cell [[cell:a]] does not run' }, ['cell [[cell:a]] does not run']],
    ['fresh again: nothing', { status: 'fresh', error: 'old' }, []]
  ];
  for (const [name, fields, expected] of errorCases) {
    test(`message errors: ${name}`, () => {
      const { status, ...rest } = fields;
      assert.deepEqual(messageErrors(state(status, rest)), expected);
    });
  }

  test('describe lists defs, refs, parents and children', () => {
    const text = describe(state('fresh', { defs: ['y'], refs: ['x'], parents: ['a'], children: [] }));
    assert.equal(text, 'status: fresh\ndefines: y\nreads: x\nparents: a\nchildren: -');
  });

});

suite('cache option', () => {
  const modes: Array<[unknown, string]> = [
    [undefined, 'off'],
    [null, 'off'],
    [true, 'off'], // the `reactive` value itself must be an object
    [{}, 'off'],
    [{ cache: false }, 'off'],
    [{ cache: true }, 'memory'],
    [{ cache: 'memory' }, 'memory'],
    [{ cache: 'disk' }, 'disk'],
    [{ cache: 'off' }, 'off'],
    [{ cache: 'tape' }, 'off'],
    [{ cache: 1 }, 'off'],
    [[{ cache: true }], 'off']
  ];
  for (const [meta, mode] of modes) {
    test(`reactive metadata ${JSON.stringify(meta)} is cache ${mode}`, () => assert.equal(cacheMode(meta), mode));
  }

  test('a toggle turns its own mode off and any other mode into its own', () => {
    assert.equal(toggledCacheMode('off', 'memory'), 'memory');
    assert.equal(toggledCacheMode('memory', 'memory'), 'off');
    assert.equal(toggledCacheMode('disk', 'memory'), 'memory');
    assert.equal(toggledCacheMode('off', 'disk'), 'disk');
    assert.equal(toggledCacheMode('disk', 'disk'), 'off');
    assert.equal(toggledCacheMode('memory', 'disk'), 'disk');
  });

  test('setting the mode writes true or "disk" and keeps the other keys', () => {
    assert.deepEqual(withCacheMode(undefined, 'memory'), { cache: true });
    assert.deepEqual(withCacheMode({ other: 1 }, 'disk'), { other: 1, cache: 'disk' });
    assert.deepEqual(withCacheMode({ other: 1, cache: 'disk' }, 'memory'), { other: 1, cache: true });
    assert.deepEqual(withCacheMode({ other: 1, cache: true }, 'off'), { other: 1 });
  });

  test('turning the cache off leaves no empty reactive object', () => {
    assert.equal(withCacheMode({ cache: true }, 'off'), undefined);
    assert.equal(withCacheMode(undefined, 'off'), undefined);
    assert.equal(withCacheMode('junk', 'off'), undefined);
  });

  test('withCacheMode does not change its argument', () => {
    const meta = { cache: true, other: 1 };
    withCacheMode(meta, 'off');
    assert.deepEqual(meta, { cache: true, other: 1 });
  });

  test('the badge and its title say when a fresh cell was restored from its cache', () => {
    const hit = state('fresh', { cached: true });
    assert.equal(badgeText(hit), 'fresh · cached');
    assert.match(describe(hit), /restored from cache \(source and inputs unchanged\)/);
    assert.equal(badgeText(state('fresh')), 'fresh');
    assert.doesNotMatch(describe(state('fresh')), /cache/);
    assert.equal(badgeText(state('stale', { cached: true })), 'stale', 'only a fresh cell can be a cache hit');
  });

  test('the title names the cache option when caching is on', () => {
    assert.match(describe(state('unrun'), id => id, 'memory'), /\ncache: in memory$/);
    assert.match(describe(state('unrun'), id => id, 'disk'), /\ncache: on disk/);
  });
});

suite('parseKernelMessage', () => {
  const good = [
    { type: 'hello', version: 1, mode: 'autorun' },
    { type: 'run', cells: ['a'] },
    { type: 'mode', mode: 'lazy' },
    { type: 'error', message: 'bad' },
    { type: 'state', cells: { a: state('fresh') } },
    { type: 'state', cells: { a: state('fresh', { cached: true }) } },
    { type: 'hello', version: 1, capabilities: ['delta'], mode: 'autorun', definitions: 'ordered' },
    { type: 'resync', rev: 4, reason: "the cells' order differs from the kernel's" },
    { type: 'resync', rev: null, reason: 'no number' },
    { type: 'state', cells: { a: state('error', { name: 'load', raised: true }) } },
    { type: 'state', cells: { a: state('error', { fixes: [{ kind: 'rename', name: 'x', to: 'x_2', cells: ['a'] }] }) } },
    { type: 'rewrite', request: 1, cells: [{ id: 'a', before: 'x = 1', after: 'x_2 = 1' }], error: null },
    { type: 'rewrite', request: 2, cells: [], error: 'cannot fix it' }
  ];
  const bad = [
    null,
    'text',
    { type: 'nope' },
    { type: 'run', cells: 'a' },
    { type: 'mode', mode: 'eager' },
    { type: 'state', cells: { a: { status: 'weird' } } },
    { type: 'state', cells: { a: { ...state('fresh'), cached: 'yes' } } },
    { type: 'hello', version: 1, capabilities: 'delta', mode: 'autorun' },
    { type: 'resync', rev: '4', reason: 'x' },
    { type: 'resync', rev: 4 },
    { type: 'state', cells: { a: { ...state('fresh'), name: 3 } } },
    { type: 'state', cells: { a: { ...state('error'), raised: 'yes' } } },
    { type: 'state', cells: { a: { ...state('error'), fixes: [{ kind: 'inline', name: 'x', to: 'y', cells: ['a'] }] } } },
    { type: 'state', cells: { a: { ...state('error'), fixes: [{ kind: 'rename', name: 'x', to: 'y', cells: [] }] } } },
    { type: 'rewrite', request: 1, cells: [{ id: 'a', after: 'x' }], error: null },
    { type: 'rewrite', request: '1', cells: [], error: null },
    { type: 'rewrite', request: 1, cells: [] }
  ];
  for (const msg of good) {
    test(`accepts ${JSON.stringify(msg).slice(0, 40)}`, () => assert.notEqual(parseKernelMessage(msg), null));
  }
  for (const msg of bad) {
    test(`rejects ${JSON.stringify(msg)}`, () => assert.equal(parseKernelMessage(msg), null));
  }

  test('a state from a kernel without caching (or warnings, names) gets their defaults', () => {
    const { cached: _c, warnings: _w, name: _n, raised: _r, fixes: _f, ...old } = state('fresh');
    const parsed = parseKernelMessage({ type: 'state', cells: { a: old } });
    assert.deepEqual(parsed, { type: 'state', cells: { a: state('fresh') } });
  });

  test('a state keeps the kernel-sent cached flag', () => {
    const parsed = parseKernelMessage({ type: 'state', cells: { a: state('fresh', { cached: true }) } });
    assert.equal(parsed?.type === 'state' && parsed.cells.a.cached, true);
  });
});

suite('definitions policy', () => {
  const cases: Array<[string, { [key: string]: unknown }, 'ordered' | 'unique', 'ordered' | 'unique']> = [
    ['default', {}, 'ordered', 'ordered'],
    ['user default', {}, 'unique', 'unique'],
    ['metadata wins', { reactive: { definitions: 'unique' } }, 'ordered', 'unique'],
    ['marimo file', { reactive_format: { name: 'marimo' } }, 'ordered', 'unique'],
    ['marimo file, metadata wins', { reactive: { definitions: 'ordered' }, reactive_format: { name: 'marimo' } }, 'unique', 'ordered'],
    ['percent file', { reactive_format: { name: 'percent' } }, 'ordered', 'ordered'],
    ['bad value', { reactive: { definitions: 'sometimes' } }, 'ordered', 'ordered']
  ];
  for (const [name, metadata, fallback, expected] of cases) {
    test(name, () => assert.strictEqual(definitionsFor(metadata, fallback), expected));
  }

  test('the status bar shows the policy after the mode', () => {
    assert.strictEqual(statusBarText('autorun', { stale: 1 }, null, 'ordered'), 'reactive: autorun · ordered · 1 stale');
  });

  test('reads say where each value comes from', () => {
    const s = state('fresh', { refs: ['df', 'np'], origins: { df: 'c3' } });
    assert.deepStrictEqual(describeReads(s, id => `#${id.slice(1)}`), ['df from #3', 'np']);
    assert.match(describe(s, id => `#${id.slice(1)}`), /reads: df from #3, np/);
  });
});

suite('translation', () => {
  const fills: Array<[string, unknown[], string]> = [
    ['reactive: %1', ['lazy'], 'reactive: lazy'],
    ['running %1/%2', [3, 7], 'running 3/7'],
    ['%2 before %1', ['a', 'b'], 'b before a'],
    ['%1 and %1', ['x'], 'x and x'],
    ['100%% sure', [], '100% sure'],
    ['no placeholder', ['ignored'], 'no placeholder']
  ];
  for (const [msgid, args, expected] of fills) {
    test(`English fills ${JSON.stringify(msgid)} as nullTranslator does`, () =>
      assert.equal(ENGLISH.__(msgid, ...args), expected));
  }

  // A language whose every text is the English one in brackets: a line without them was not translated.
  const bracketed: ITrans = { __: (msgid, ...args) => ENGLISH.__(`[${msgid}]`, ...args) };

  test('every line of the badge hover goes through the translation', () => {
    const s = state('fresh', { cached: true, defs: ['y'], refs: ['df', 'np'], origins: { df: 'c3' } });
    const lines = describe(s, id => `#${id.slice(1)}`, 'disk', bracketed).split('\n');
    assert.equal(lines.length, 6);
    for (const line of lines) {
      assert.match(line, /^\[.*\]$/, line);
    }
    assert.ok(lines.includes('[reads: [df from #3], np]'), lines.join('\n'));
  });

  test('the status bar translates its words, not the protocol names', () => {
    const parts = statusBarParts('lazy', { stale: 2 }, { done: 1, total: 4 }, 'unique', bracketed);
    assert.deepEqual(parts, ['[reactive: lazy]', 'unique', '[running 1/4]', '2 stale']);
  });
});

// The kernel's rules (reactive_kernel/core/naming.py) pass the same table: all name a cell alike.
const TABLE = JSON.parse(readFileSync(join(process.cwd(), '..', 'tests', 'golden', 'cell_labels.json'), 'utf8')) as {
  labels: Array<{ why: string; position: number | null; name: string | null; label: string }>;
  titles: Array<{ why: string; metadata: { [key: string]: unknown }; title: string | null }>;
  mentions: Array<{ why: string; text: string; parts: Array<{ text: string } | { cell: string }> }>;
};

suite('cell labels (tests/golden/cell_labels.json)', () => {
  for (const row of TABLE.labels) {
    test(`label: ${row.why}`, () => assert.equal(formatLabel(row.position, row.name), row.label));
  }
  for (const row of TABLE.titles) {
    test(`title: ${row.why}`, () => assert.equal(titleOf(row.metadata), row.title));
  }
  for (const row of TABLE.mentions) {
    test(`mentions: ${row.why}`, () => assert.deepEqual(linkCells(row.text), row.parts));
  }

  const order = ['m1', 'c2', 'c3'];
  const positions: Array<[string, string | null, string]> = [
    ['m1', null, '#1'],
    ['c2', 'load', '#2 (load)'],
    ['c3', 'df', '#3 (df)'],
    ['gone', 'df', '(df)']
  ];
  for (const [id, name, label] of positions) {
    test(`${id} is ${label}: its position, whatever its type, and its name`, () =>
      assert.equal(cellLabel(order, id, name), label));
  }
});

suite('sync cells', () => {
  const cases: Array<[string, { disabled?: unknown; reactive?: unknown }, boolean, string]> = [
    ['no metadata', {}, false, 'off'],
    ['disabled', { disabled: true }, true, 'off'],
    ['disabled only when exactly true', { disabled: 'yes' }, false, 'off'],
    ['cache in memory', { reactive: { cache: true } }, false, 'memory'],
    ['cache on disk, disabled', { disabled: true, reactive: { cache: 'disk' } }, true, 'disk'],
    ['junk cache', { reactive: { cache: 'tape' } }, false, 'off']
  ];
  for (const [name, metadata, disabled, cache] of cases) {
    test(name, () =>
      assert.deepEqual(syncCell('a', 'x = 1', 'code', metadata), {
        id: 'a',
        source: 'x = 1',
        cell_type: 'code',
        disabled,
        cache
      })
    );
  }

  test('a cell with a name or title sends it, for the labels the kernel prints', () => {
    assert.equal(syncCell('a', '', 'code', { title: 'Load data' }).title, 'Load data');
    assert.equal(syncCell('a', '', 'code', { name: 'load' }).title, 'load');
    assert.equal('title' in syncCell('a', '', 'code', { name: '_' }), false);
  });
});

suite('quick fixes', () => {
  const label = (id: string) => ({ a: '#1 (x)', r: '#2', s: '#4 (y)' })[id] ?? id;
  const cases: Array<[string, IFix, string, RegExp]> = [
    ['private', { kind: 'private', name: 'x', to: '_x', cells: ['a'] }, 'Make x private to this cell', /Renames x to _x in this cell only/],
    ['rename alone', { kind: 'rename', name: 'x', to: 'x_2', cells: ['a'] }, 'Rename x here…', /Renames x in this cell \(to x_2, or a name you choose\)\./],
    ['rename with readers', { kind: 'rename', name: 'x', to: 'x_2', cells: ['a', 'r', 's'] }, 'Rename x here and in its readers…', /in this cell and in #2, #4 \(y\), which read/]
  ];
  for (const [name, fix, text, title] of cases) {
    test(`button text and hover: ${name}`, () => {
      const shown = fixText(fix, label);
      assert.equal(shown.text, text);
      assert.match(shown.title, title);
    });
  }

  test('a translation bundle gets every text', () => {
    const seen: string[] = [];
    const trans: ITrans = { __: (msgid, ...args) => (seen.push(msgid), ENGLISH.__(msgid, ...args)) };
    fixText(cases[2][1], label, trans);
    assert.equal(seen.length, 2);
  });

  const edits: Array<[string, string, string, { start: number; end: number; text: string }]> = [
    ['a rename in the middle', 'x = 1  # x\nprint(x)', 'x_2 = 1  # x\nprint(x_2)', { start: 1, end: 18, text: '_2 = 1  # x\nprint(x_2' }],
    ['same text', 'a', 'a', { start: 1, end: 1, text: '' }],
    ['insert at the end', 'ab', 'abc', { start: 2, end: 2, text: 'c' }],
    ['astral characters count as two', '𝄞x = 1', '𝄞_x = 1', { start: 2, end: 2, text: '_' }],
    ['repeated letters', 'aaa', 'aaaa', { start: 3, end: 3, text: 'a' }]
  ];
  for (const [name, before, after, edit] of edits) {
    test(`the edit: ${name}`, () => {
      const found = sourceEdit(before, after);
      assert.deepEqual(found, edit);
      assert.equal(before.slice(0, found.start) + found.text + before.slice(found.end), after);
    });
  }
});
