// Unit tests for the graph view's labels (graphtext.ts), run with node's test runner (jlpm test).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { firstWords, fitText, mainDefinitions, nodeLabel } from './graphtext';
import { ITrans } from './logic';

test('mainDefinitions: made before imported, each in the order the source first names them', () => {
  const cases: Array<[string[], string, string[]]> = [
    // defs (sorted, as the kernel sends them), source, expected
    [['df', 'pd'], 'import pandas as pd\ndf = pd.read_csv("a.csv")', ['df', 'pd']],
    [['model', 'x', 'y'], 'y = 2\nx = 1\nmodel = fit(x, y)', ['y', 'x', 'model']],
    [
      ['DataFrame', 'np', 'total'],
      'from pandas import DataFrame\nimport numpy as np\ntotal = 3',
      ['total', 'DataFrame', 'np']
    ],
    [['a', 'ab'], 'ab = 1\na = ab', ['ab', 'a']],
    [['b'], 'x.b = 1\nb = 2', ['b']],
    [['hidden'], 'globals()["x"]', ['hidden']],
    [['by_region'], '%%sql by_region\nSELECT 1', ['by_region']]
  ];
  for (const [defs, source, expected] of cases) {
    assert.deepEqual(mainDefinitions(defs, source), expected, source);
  }
});

test('firstWords: the first line with words, spaces squeezed', () => {
  const cases: Array<[string, string]> = [
    ['print(x)', 'print(x)'],
    ['\n\n   plot(a,   b)  \nmore', 'plot(a, b)'],
    ['# a comment\nprint(1)', '# a comment'],
    ['', ''],
    ['  \n\t\n', '']
  ];
  for (const [source, expected] of cases) {
    assert.equal(firstWords(source), expected, JSON.stringify(source));
  }
});

test('nodeLabel: position and definitions, else the first words, else (no definitions)', () => {
  const shouting: ITrans = { __: msgid => msgid.toUpperCase() };
  const cases: Array<[string[], string, string, ITrans | undefined]> = [
    [['df', 'pd'], 'import pandas as pd\ndf = 1', '#5 df, pd', undefined],
    [[], 'print(df.head())', '#5 print(df.head())', undefined],
    [[], '', '#5 (no definitions)', undefined],
    [[], '\n', '#5 (NO DEFINITIONS)', shouting]
  ];
  for (const [defs, source, expected, trans] of cases) {
    assert.equal(nodeLabel('#5', defs, source, trans), expected);
  }
});

test('fitText: cut to the length with an ellipsis', () => {
  const cases: Array<[string, number, string]> = [
    ['#5 df', 10, '#5 df'],
    ['#5 df, model', 12, '#5 df, model'],
    ['#5 df, model', 11, '#5 df, mod\u2026'],
    ['#5 df, model', 8, '#5 df,\u2026'],
    ['#12 a, b', 5, '#12\u2026']
  ];
  for (const [text, max, expected] of cases) {
    const fitted = fitText(text, max);
    assert.equal(fitted, expected);
    assert.ok(fitted.length <= max);
  }
});
