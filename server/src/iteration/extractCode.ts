// Code out of whatever a model returns: fenced blocks, a whole function, or a
// bare body that runs on past its closing brace.

import { lexC } from '../index/lexer';

/** The body statements of the target function, without the outer braces. */
export function extractBody(output: string, functionName: string): string {
  let text = fencedCode(output) ?? output;
  // A whole definition of the function: keep what is inside its braces.
  const header = new RegExp(`\\b${escapeRegExp(functionName)}\\s*\\([^;{]*\\)\\s*\\{`);
  const m = header.exec(text);
  if (m) text = text.slice(m.index + m[0].length);
  return cutAtUnbalancedClose(text).replace(/^\s*\n/, '').replace(/\s+$/, '');
}

/** The first ``` fenced block's content, if the output has one. */
export function fencedCode(output: string): string | undefined {
  const m = /```[a-zA-Z+]*[ \t]*\n([\s\S]*?)(```|$)/.exec(output);
  return m ? m[1] : undefined;
}

/** Text up to the brace that closes more than it opened (the end of the function body). */
function cutAtUnbalancedClose(text: string): string {
  const code = lexC(text).code;
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return text.slice(0, i);
      depth--;
    }
  }
  // Unclosed braces inside: close them so the result parses.
  return depth > 0 ? `${text.replace(/\s+$/, '')}\n${'}'.repeat(depth)}` : text;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
