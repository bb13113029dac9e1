// Unit tests for the `.py` notebook rules (pyrules.ts), run with node's test runner (jlpm test).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { baseName, documentPathInUrl, exactNamesPattern, IMetadataChange, isFilledInMetadata } from './pyrules';

test('exactNamesPattern matches the names and nothing else', () => {
  const cases: Array<[string[], string[], string[]]> = [
    // names, matched, not matched
    [['demo.py'], ['demo.py'], ['xdemo.py', 'demo.pyc', 'demoXpy', 'dir/demo.py']],
    [['a.py', 'b (1).py'], ['a.py', 'b (1).py'], ['b 1.py', 'a.pyx']],
    [['x+y.py', '[a].py', '$.py'], ['x+y.py', '[a].py', '$.py'], ['xxy.py', 'a.py', '.py']]
  ];
  for (const [names, matched, notMatched] of cases) {
    const pattern = exactNamesPattern(names);
    assert.ok(pattern !== null);
    for (const name of matched) {
      assert.ok(name.match(pattern), `${pattern} should match ${name}`);
    }
    for (const name of notMatched) {
      assert.equal(name.match(pattern), null, `${pattern} should not match ${name}`);
    }
  }
  assert.equal(exactNamesPattern([]), null);
  assert.equal(exactNamesPattern(['b.py', 'a.py', 'b.py']), exactNamesPattern(['a.py', 'b.py']));
});

test('baseName is the last path segment', () => {
  assert.equal(baseName('dir/sub/demo.py'), 'demo.py');
  assert.equal(baseName('demo.py'), 'demo.py');
});

test('documentPathInUrl reads JupyterLab and Notebook 7 document routes', () => {
  const cases: Array<[string, string, string | null]> = [
    // pathname, base path, document path
    ['/lab/tree/demo.py', '/', 'demo.py'],
    ['/lab/tree/dir/a%20b.py', '/', 'dir/a b.py'],
    ['/user/ada/lab/tree/course/week1.py', '/user/ada/', 'course/week1.py'],
    ['/user/ada/lab/tree/course/week1.py', '/user/ada', 'course/week1.py'],
    ['/lab/workspaces/mine/tree/demo.py', '/', 'demo.py'],
    ['/doc/tree/demo.py', '/', 'demo.py'],
    ['/notebooks/demo.py', '/', 'demo.py'],
    ['/lab/tree/course/', '/', 'course'],
    ['/lab', '/', null],
    ['/lab/tree/', '/', null],
    ['/tree/demo.py', '/', null],
    ['/user/bob/lab/tree/demo.py', '/user/ada/', null],
    ['/lab/tree/%E0%A4%A.py', '/', null]
  ];
  for (const [pathname, base, expected] of cases) {
    assert.equal(documentPathInUrl(pathname, base), expected, `${pathname} under ${base}`);
  }
});

test('isFilledInMetadata: what JupyterLab fills in from the kernel, not edits', () => {
  const spec = (name: string, display = 'Python 3') => ({ name, display_name: display, language: 'python' });
  const cases: Array<[IMetadataChange, boolean]> = [
    [{ key: 'language_info', type: 'add', newValue: { name: '' } }, true],
    [{ key: 'language_info', type: 'change', oldValue: { name: '' }, newValue: { name: 'python' } }, true],
    [{ key: 'language_info', type: 'remove', oldValue: { name: 'python' } }, false],
    [{ key: 'kernelspec', type: 'add', newValue: { name: '', display_name: '' } }, true],
    [{ key: 'kernelspec', type: 'add', newValue: spec('python3') }, false],
    [{ key: 'kernelspec', type: 'change', oldValue: spec('python3'), newValue: spec('python3', 'Py') }, true],
    [{ key: 'kernelspec', type: 'change', oldValue: spec('python3'), newValue: spec('reactive-python') }, false],
    [{ key: 'kernelspec', type: 'change', oldValue: { name: '' }, newValue: { name: '' } }, false],
    [{ key: 'kernelspec', type: 'remove', oldValue: spec('python3') }, false],
    [{ key: 'reactive', type: 'add', newValue: { mode: 'lazy' } }, false],
    [{ key: 'jupytext', type: 'change', oldValue: {}, newValue: { formats: 'ipynb,py' } }, false]
  ];
  for (const [change, expected] of cases) {
    assert.equal(isFilledInMetadata(change), expected, JSON.stringify(change));
  }
});
