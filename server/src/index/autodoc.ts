// AutoDoc comments: the documentation block AROS puts around every library
// function (and in front of many plain C functions).
//
// An AutoDoc starts with a banner comment (`/****...`) and is split into
// sections whose headings stand alone on a line:
//
//     /*****************************************************************************
//
//         NAME */
//             AROS_LH1(void, Foo,
//     /*  SYNOPSIS */
//             AROS_LHA(ULONG, bar, D0),
//     /*  LOCATION */
//             struct Library *, FooBase, 5, Foo)
//     /*  FUNCTION
//             Does foo.
//         RESULT
//             Nothing.
//     ******************************************************************************/
//
// The text of a section may be spread over several comments (the code between
// them is not part of the AutoDoc), so `parseAutoDoc` takes every comment of
// the block in order and treats them as one stream of lines.
// The older one-comment form with `*` at the start of every line
// (`/****** foo.library/Bar ****` ... `*   NAME` ... `*******/`) works as well.

/** Headings as written, mapped to the key used in the result. */
const HEADINGS: ReadonlyMap<string, string> = new Map([
  ['NAME', 'NAME'],
  ['SYNOPSIS', 'SYNOPSIS'],
  ['TEMPLATE', 'TEMPLATE'],
  ['FORMAT', 'FORMAT'],
  ['LOCATION', 'LOCATION'],
  ['FUNCTION', 'FUNCTION'],
  ['INPUTS', 'INPUTS'],
  ['INPUT', 'INPUTS'],
  ['TAGS', 'TAGS'],
  ['RESULT', 'RESULT'],
  ['RESULTS', 'RESULT'],
  ['NOTES', 'NOTES'],
  ['NOTE', 'NOTES'],
  ['EXAMPLE', 'EXAMPLE'],
  ['EXAMPLES', 'EXAMPLE'],
  ['BUGS', 'BUGS'],
  ['SEE ALSO', 'SEE ALSO'],
  ['INTERNALS', 'INTERNALS'],
  ['HISTORY', 'HISTORY'],
]);

/** The AutoDoc sections this module knows, in their usual order (result keys). */
export const AUTODOC_SECTIONS: readonly string[] = [
  'NAME',
  'SYNOPSIS',
  'TEMPLATE',
  'FORMAT',
  'LOCATION',
  'FUNCTION',
  'INPUTS',
  'TAGS',
  'RESULT',
  'NOTES',
  'EXAMPLE',
  'BUGS',
  'SEE ALSO',
  'INTERNALS',
  'HISTORY',
];

/** The first line of a banner holds at least this many `*` (the `/*` included). */
const BANNER_STARS = 6;

/**
 * True for a comment that opens an AutoDoc block: it starts with `/***` and its
 * first line holds a row of at least six `*` in all, optionally with a title:
 * `/*****...`, `/****** foo.library/Bar ****`, `/****i* foo.device/Internal ***`.
 * A separator like `/*****.../` also qualifies; whether it really is an AutoDoc is
 * decided by `parseAutoDoc` finding headings in it or in the comments after it.
 */
export function isAutoDocBanner(commentText: string): boolean {
  if (!commentText.startsWith('/***')) return false;
  let stars = 0;
  const n = Math.min(commentText.length, 400);
  for (let i = 1; i < n; i++) {
    const c = commentText.charCodeAt(i);
    if (c === 10) break;
    if (c === 42 && ++stars >= BANNER_STARS) return true;
  }
  return false;
}

interface DocLine {
  /** Column of the first non-blank character (tabs expanded to 8). */
  indent: number;
  /** Text after the indentation, trailing blanks removed; empty for a blank line. */
  text: string;
}

const DECORATION_ROW = /^[*\-=_~#/+|\s]*$/;

/**
 * Parses the comments of one AutoDoc block (raw texts, in source order, each
 * including its `/*`...`*\/` or `//`) into sections keyed by upper-case heading.
 * Section bodies are de-indented, without comment delimiters, banner rows or
 * surrounding blank lines. Empty sections are left out. Returns undefined when
 * no heading is found or every section is empty.
 */
export function parseAutoDoc(commentTexts: string[]): Record<string, string> | undefined {
  const sections = new Map<string, DocLine[]>();
  let current: DocLine[] | undefined;
  let sawHeading = false;

  for (const raw of commentTexts) {
    for (const line of commentLines(raw)) {
      if (line.text === '') {
        if (current) current.push(line);
        continue;
      }
      const heading = headingOf(line.text);
      if (heading !== undefined) {
        sawHeading = true;
        let body = sections.get(heading);
        if (!body) {
          body = [];
          sections.set(heading, body);
        } else {
          body.push({ indent: 0, text: '' });
        }
        current = body;
        continue;
      }
      if (current) current.push(line);
    }
  }
  if (!sawHeading) return undefined;

  const out: Record<string, string> = {};
  let any = false;
  for (const [key, lines] of sections) {
    const body = dedent(lines);
    if (body !== '') {
      out[key] = body;
      any = true;
    }
  }
  return any ? out : undefined;
}

function headingOf(text: string): string | undefined {
  // Cheap rejection first: headings are short and upper case.
  if (text.length > 12) return undefined;
  const c = text.charCodeAt(0);
  if (c < 65 || c > 90) return undefined;
  let t = text;
  if (t.endsWith(':')) t = t.slice(0, -1);
  t = t.replace(/\s+/g, ' ');
  return HEADINGS.get(t);
}

/** The lines of one comment without delimiters, `*` margins and banner rows. */
function commentLines(raw: string): DocLine[] {
  let body: string;
  if (raw.startsWith('//')) {
    body = raw
      .split('\n')
      .map((l) => l.replace(/^\s*\/\/+/, ''))
      .join('\n');
  } else {
    body = raw.startsWith('/*') ? raw.slice(2) : raw;
    if (body.endsWith('*/')) body = body.slice(0, -2);
  }
  const lines = body.split('\n');
  const out: DocLine[] = [];

  // A `*` margin: every non-decoration line after the first starts with `*`.
  let starMargin = false;
  let candidates = 0;
  let starred = 0;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i];
    if (DECORATION_ROW.test(l) && l.indexOf('*') < 0) continue;
    if (isBannerRow(l)) continue;
    candidates++;
    if (/^\s*\*/.test(l)) starred++;
  }
  if (candidates > 0 && starred === candidates) starMargin = true;

  for (let i = 0; i < lines.length; i++) {
    let l = lines[i];
    if (l.endsWith('\r')) l = l.slice(0, -1);
    if (isBannerRow(l)) continue;
    if (starMargin && i > 0) l = l.replace(/^\s*\*/, '');
    out.push(toDocLine(l));
  }
  return out;
}

/** A row of stars or other decoration, possibly with a title between the stars. */
function isBannerRow(line: string): boolean {
  const t = line.trim();
  if (t === '') return false;
  if (t.startsWith('***')) return true;
  return t.length >= 3 && DECORATION_ROW.test(t) && /[*=\-~#]{3}/.test(t);
}

function toDocLine(line: string): DocLine {
  let col = 0;
  let i = 0;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32) col++;
    else if (c === 9) col = (col + 8) & ~7;
    else break;
  }
  const text = line.slice(i).trimEnd();
  return { indent: text === '' ? 0 : col, text };
}

function dedent(lines: DocLine[]): string {
  let first = 0;
  while (first < lines.length && lines[first].text === '') first++;
  let last = lines.length - 1;
  while (last >= first && lines[last].text === '') last--;
  if (first > last) return '';
  let min = Infinity;
  for (let i = first; i <= last; i++) {
    if (lines[i].text !== '' && lines[i].indent < min) min = lines[i].indent;
  }
  const parts: string[] = [];
  let blankRun = 0;
  for (let i = first; i <= last; i++) {
    const l = lines[i];
    if (l.text === '') {
      // Collapse runs of blank lines (left by code between comments) to one.
      if (blankRun++ === 0) parts.push('');
      continue;
    }
    blankRun = 0;
    parts.push(' '.repeat(l.indent - min) + l.text);
  }
  return parts.join('\n');
}
