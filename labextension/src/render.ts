// Draws a cell's reactive state on its DOM node: status attribute, badge, message with cell links.

import { Cell } from '@jupyterlab/cells';

import { badgeText, describe, ENGLISH, fixText, isCachedHit, ITrans, linkCells, messageErrors } from './logic';
import { CacheMode, ICellState, IFix } from './protocol';

const BADGE = 'jp-reactive-badge';
const CACHED = 'jp-reactive-badge-cached'; // the badge of a cell whose results were restored from its cache
const MESSAGE = 'jp-reactive-message';
const LINK = 'jp-reactive-cell-link';
const WARNING = 'jp-reactive-warning'; // a line of the message that is a warning (a mutation), not an error
const FIXES = 'jp-reactive-fixes'; // the quick fixes' buttons, under a multiple definition's error
const FIX = 'jp-reactive-fix';
const FIX_ERROR = 'jp-reactive-fix-error'; // why the cell's last quick fix was not made

export interface IRenderContext {
  known: { has(id: string): boolean }; // whether an id is one of the notebook's cells, for links
  label: (cellId: string) => string; // how to name a cell to the user (`#3 (load)`)
  onLink: (cellId: string) => void; // a link to another cell was clicked
  trans: ITrans; // the hover texts' language
  onFix: (cellId: string, fix: IFix) => void; // a quick fix's button was pressed
  fixNote: (cellId: string) => string | null; // why the cell's last quick fix was not made
}

/**
 * Bring one cell's node in line with its state (or clear it when the kernel has none) and its cache
 * option (from its metadata, shown even before the kernel reports on the cell). Returns whether it shows a
 * message (which names other cells by position).
 */
export function renderCell(
  cell: Cell,
  state: ICellState | undefined,
  ctx: IRenderContext,
  cache: CacheMode = 'off'
): boolean {
  const node = cell.node;
  if (cache === 'off') {
    delete node.dataset.reactiveCache;
  } else {
    node.dataset.reactiveCache = cache;
  }
  if (!state) {
    delete node.dataset.reactiveStatus;
    node.querySelector(`.${BADGE}`)?.remove();
    node.querySelector(`.${MESSAGE}`)?.remove();
    return false;
  }
  node.dataset.reactiveStatus = state.status;
  renderBadge(node, state, ctx, cache);
  return renderMessage(node, cell.model.id, state, ctx);
}

/** Forget every mark, e.g. when the notebook leaves the reactive kernel. */
export function clearCell(cell: Cell): void {
  delete cell.node.dataset.reactiveRelation;
  renderCell(cell, undefined, {
    known: new Set(),
    label: id => id,
    onLink: () => undefined,
    trans: ENGLISH,
    onFix: () => undefined,
    fixNote: () => null
  });
}

function renderBadge(node: HTMLElement, state: ICellState, ctx: IRenderContext, cache: CacheMode): void {
  let badge = node.querySelector<HTMLElement>(`.${BADGE}`);
  if (!badge) {
    const host = node.querySelector('.jp-Cell-inputWrapper') ?? node;
    badge = document.createElement('div');
    badge.className = BADGE;
    host.appendChild(badge);
  }
  badge.textContent = badgeText(state);
  badge.title = describe(state, ctx.label, cache, ctx.trans);
  badge.classList.toggle(CACHED, isCachedHit(state));
}

function renderMessage(node: HTMLElement, id: string, state: ICellState, ctx: IRenderContext): boolean {
  const errors = messageErrors(state);
  const warnings = state.warnings ?? [];
  const fixes = errors.length > 0 ? (state.fixes ?? []) : []; // offered with the error they fix
  const note = ctx.fixNote(id);
  let box = node.querySelector<HTMLElement>(`.${MESSAGE}`);
  if (errors.length + warnings.length === 0 && note === null) {
    box?.remove();
    return false;
  }
  if (!box) {
    box = document.createElement('div');
    box.className = MESSAGE;
    const outputs = node.querySelector('.jp-Cell-outputWrapper');
    node.insertBefore(box, outputs);
  }
  box.classList.toggle(`${MESSAGE}-warning`, errors.length === 0);
  const extra: HTMLElement[] = fixes.length > 0 ? [renderFixes(id, fixes, ctx)] : [];
  if (note !== null) {
    const line = renderLine(note, ctx);
    line.classList.add(FIX_ERROR);
    extra.push(line);
  }
  box.replaceChildren(
    ...errors.map(line => renderLine(line, ctx)),
    ...extra,
    ...warnings.map(line => {
      const node = renderLine(line, ctx);
      node.classList.add(WARNING);
      return node;
    })
  );
  return true;
}

function renderLine(text: string, ctx: IRenderContext): HTMLElement {
  const line = document.createElement('div');
  for (const part of linkCells(text)) {
    if ('text' in part) {
      line.appendChild(document.createTextNode(part.text));
    } else if (ctx.known.has(part.cell)) {
      line.appendChild(renderLink(part.cell, ctx));
    } else {
      line.appendChild(document.createTextNode(ctx.label(part.cell))); // no longer in the notebook
    }
  }
  return line;
}

/** The quick fixes for a multiple definition, as buttons (`fixText`: what each changes where). */
function renderFixes(id: string, fixes: IFix[], ctx: IRenderContext): HTMLElement {
  const row = document.createElement('div');
  row.className = FIXES;
  for (const fix of fixes) {
    const button = document.createElement('button');
    const { text, title } = fixText(fix, ctx.label, ctx.trans);
    button.type = 'button';
    button.className = FIX;
    button.dataset.kind = fix.kind;
    button.dataset.name = fix.name;
    button.textContent = text;
    button.title = title;
    button.onclick = event => {
      event.preventDefault();
      ctx.onFix(id, fix);
    };
    button.onkeydown = event => {
      if (event.key === 'Enter' || event.key === ' ') {
        // Before JupyterLab's shortcuts see it: in command mode Enter would edit the cell.
        event.preventDefault();
        event.stopPropagation();
        ctx.onFix(id, fix);
      }
    };
    row.appendChild(button);
  }
  return row;
}

/** A link to another cell: focusable, followed by a click or by Enter (not by the notebook's keys). */
function renderLink(cellId: string, ctx: IRenderContext): HTMLElement {
  const link = document.createElement('a');
  const label = ctx.label(cellId);
  link.className = LINK;
  link.dataset.cellId = cellId;
  link.textContent = label;
  link.tabIndex = 0;
  link.setAttribute('role', 'link');
  link.title = ctx.trans.__('Go to cell %1', label);
  link.onclick = event => {
    event.preventDefault();
    ctx.onLink(cellId);
  };
  link.onkeydown = event => {
    if (event.key === 'Enter') {
      // Before JupyterLab's shortcuts see it: in command mode Enter would edit the cell the link is in.
      event.preventDefault();
      event.stopPropagation();
      ctx.onLink(cellId);
    }
  };
  return link;
}
