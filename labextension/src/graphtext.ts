// What the graph view writes on a cell's box: its position and main definitions, cut to fit the box.
// Pure: imports nothing from JupyterLab, so node's test runner covers it (graphtext.test.ts).

import { ENGLISH, ITrans } from './logic';

const IMPORT_LINE = /^\s*(?:from\s+\S+\s+)?import\s+(.*)$/gm;
const WORD = /[A-Za-z_]\w*/g;

/**
 * The definitions to name a cell by: the names its own statements make before the names it imports
 * (`import pandas as pd` then `df = ...` is `df, pd`), each group in the order the source first
 * mentions them. `defs` come sorted from the kernel; the source gives them their order back.
 */
export function mainDefinitions(defs: readonly string[], source: string): string[] {
  const imported = new Set<string>();
  for (const line of source.matchAll(IMPORT_LINE)) {
    for (const word of line[1].matchAll(WORD)) {
      imported.add(word[0]);
    }
  }
  const first = (name: string) => {
    const at = source.search(new RegExp(`(?<![\\w.])${name}(?!\\w)`));
    return at < 0 ? source.length : at;
  };
  const rank = new Map(defs.map(name => [name, (imported.has(name) ? source.length + 1 : 0) + first(name)]));
  return [...defs].sort((a, b) => rank.get(a)! - rank.get(b)! || (a < b ? -1 : 1));
}

/** The first line of the source with words on it, spaces squeezed; '' when there is none. */
export function firstWords(source: string): string {
  const line = source.split('\n').find(text => text.trim() !== '');
  return line ? line.trim().replace(/\s+/g, ' ') : '';
}

/**
 * A cell's name in the graph: `#5 df, model` (its position, then its main definitions); a cell that
 * defines nothing shows the first words of its source (`#6 print(df)`), or `#7 (no definitions)`.
 */
export function nodeLabel(position: string, defs: readonly string[], source: string, trans: ITrans = ENGLISH): string {
  if (defs.length > 0) {
    return `${position} ${mainDefinitions(defs, source).join(', ')}`;
  }
  const words = firstWords(source);
  return `${position} ${words || trans.__('(no definitions)')}`;
}

/** `text` when it has at most `max` characters, else its start and an ellipsis, `max` in all. */
export function fitText(text: string, max: number): string {
  if (text.length <= max) {
    return text;
  }
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}\u2026`;
}
