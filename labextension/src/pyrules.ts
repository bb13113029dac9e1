// Pure rules for `.py` notebooks in the frontend: the file-name pattern the document registry opens as
// notebooks, the document path a page was opened on, and which notebook changes are JupyterLab filling in
// metadata from the kernel rather than the user editing. No JupyterLab imports: unit-tested with node.

/** A regular expression (source) that matches exactly these file names, or null when there are none. */
export function exactNamesPattern(names: Iterable<string>): string | null {
  const escaped = [...new Set(names)].sort().map(name => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return escaped.length ? `^(?:${escaped.join('|')})$` : null;
}

/** The part of a path after its last `/`. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

// The document routes of JupyterLab (`lab/tree/<path>`, with a named workspace, or `doc/tree/<path>`)
// and of Notebook 7 (`notebooks/<path>`), relative to the server's base URL.
const DOCUMENT_ROUTE = /^(?:(?:lab|doc)(?:\/workspaces\/[^/]+)?\/tree|notebooks)\/(.+)$/;

/**
 * The document path in a page's URL path (`/user/ada/lab/tree/dir/a%20b.py` under base `/user/ada/` is
 * `dir/a b.py`), or null when the page was not opened on a document.
 */
export function documentPathInUrl(pathname: string, basePath: string): string | null {
  const base = basePath.endsWith('/') ? basePath : `${basePath}/`;
  if (!pathname.startsWith(base)) {
    return null;
  }
  const match = DOCUMENT_ROUTE.exec(pathname.slice(base.length));
  if (!match) {
    return null;
  }
  try {
    return decodeURIComponent(match[1]).replace(/\/+$/, '') || null;
  } catch {
    return null; // not valid percent-encoding: not a path the server would serve either
  }
}

/** One notebook metadata change, as JupyterLab's notebook model reports it. */
export interface IMetadataChange {
  key: string;
  type: 'add' | 'remove' | 'change';
  oldValue?: unknown;
  newValue?: unknown;
}

function kernelName(spec: unknown): string {
  const name = spec && typeof spec === 'object' ? (spec as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : '';
}

/**
 * Whether a metadata change is JupyterLab filling in what the kernel reports, not an edit: `language_info`
 * (an empty one when a notebook has none, then the kernel's), and the kernelspec's display name and
 * language for the kernel the notebook already names. A kernel *switch* (another kernelspec name) is an
 * edit: the `.py` header records the kernel.
 */
export function isFilledInMetadata(change: IMetadataChange): boolean {
  switch (change.key) {
    case 'language_info':
      return change.type !== 'remove';
    case 'kernelspec':
      if (change.type === 'add') {
        return kernelName(change.newValue) === ''; // the empty placeholder of a notebook without one
      }
      return (
        change.type === 'change' &&
        kernelName(change.newValue) !== '' &&
        kernelName(change.newValue) === kernelName(change.oldValue)
      );
    default:
      return false;
  }
}
