import { InputError } from '../errors.js';
import type { SourceLocation } from '../schema/model.js';

/**
 * The part of Mako that Alembic's `script.py.mako` templates use, rendered the way Mako
 * renders them: `${expr}` and `${expr | filter, ...}` (default filter `str`), control lines
 * `% if / % elif / % else / % endif`, `##` comment lines, `<%text>` blocks, `%%` escapes
 * and a trailing `\` that joins lines. Expressions are the small Python subset such
 * templates contain: names, string literals, `None`/`True`/`False`, calls (`repr`, `str`,
 * `comma`), `not`/`and`/`or`, `==`/`!=`/`is`/`is not`, and `a if cond else b`.
 * Anything else is an InputError naming the template line: we never guess a backend's
 * template.
 */
export type TemplateValue =
  | null
  | boolean
  | string
  | string[]
  | PythonObject
  | ((...args: TemplateValue[]) => TemplateValue);

/** A value whose Python `str()` and `repr()` differ from a plain string's, e.g. a datetime. */
export interface PythonObject {
  str: string;
  repr: string;
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'expr'; source: string; line: number }
  | { kind: 'control'; keyword: 'if' | 'elif' | 'else' | 'endif'; source: string; line: number };

export function renderTemplate(template: string, file: string, values: Record<string, TemplateValue>): string {
  const nodes = parseTemplate(template, file);
  let out = '';
  // One frame per open `% if`: whether a branch was taken, and whether we are in it.
  const stack: { taken: boolean; active: boolean; parentActive: boolean }[] = [];
  const active = () => stack.length === 0 || stack[stack.length - 1]!.active;
  for (const node of nodes) {
    if (node.kind === 'control') {
      const at = { file, line: node.line, column: 1 };
      if (node.keyword === 'if') {
        const parentActive = active();
        const taken = parentActive && truthy(evaluate(node.source, values, at));
        stack.push({ taken, active: taken, parentActive });
      } else {
        const frame = stack[stack.length - 1];
        if (!frame) throw new InputError(`% ${node.keyword} without % if`, at);
        if (node.keyword === 'endif') stack.pop();
        else if (node.keyword === 'else') {
          frame.active = frame.parentActive && !frame.taken;
          frame.taken ||= frame.active;
        } else {
          frame.active = frame.parentActive && !frame.taken && truthy(evaluate(node.source, values, at));
          frame.taken ||= frame.active;
        }
      }
      continue;
    }
    if (!active()) continue;
    if (node.kind === 'text') out += node.text;
    else out += renderExpression(node.source, values, { file, line: node.line, column: 1 });
  }
  if (stack.length) throw new InputError('% if without % endif', { file, line: template.split('\n').length, column: 1 });
  return out;
}

function parseTemplate(template: string, file: string): Node[] {
  const nodes: Node[] = [];
  const lines = template.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  let inText = false;
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (!inText) {
      const control = /^\s*%(?!%)\s*(if|elif|else|endif)\b(.*?):?\s*$/.exec(line);
      if (control) {
        nodes.push({ kind: 'control', keyword: control[1] as 'if', source: control[2]!.trim(), line: lineNo });
        return;
      }
      if (/^\s*%(?!%)/.test(line)) {
        throw new InputError(`unsupported Mako control line: ${line.trim()}`, { file, line: lineNo, column: 1 });
      }
      if (/^\s*##/.test(line)) return;
      line = line.replace(/^(\s*)%%/, '$1%');
    }
    let rest = line;
    while (rest) {
      if (inText) {
        const end = rest.indexOf('</%text>');
        if (end < 0) {
          nodes.push({ kind: 'text', text: rest });
          return;
        }
        nodes.push({ kind: 'text', text: rest.slice(0, end) });
        rest = rest.slice(end + '</%text>'.length);
        inText = false;
        continue;
      }
      const next = /\$\{|<%text>|<%|\\\n$/.exec(rest);
      if (!next) {
        nodes.push({ kind: 'text', text: rest });
        return;
      }
      nodes.push({ kind: 'text', text: rest.slice(0, next.index) });
      const token = next[0];
      if (token === '<%text>') {
        inText = true;
        rest = rest.slice(next.index + token.length);
      } else if (token === '<%') {
        throw new InputError('unsupported Mako tag (only ${...}, % if and <%text> are understood)', {
          file,
          line: lineNo,
          column: next.index + 1,
        });
      } else if (token === '${') {
        const end = closingBrace(rest, next.index + 2);
        if (end < 0) throw new InputError('unterminated ${...}', { file, line: lineNo, column: next.index + 1 });
        nodes.push({ kind: 'expr', source: rest.slice(next.index + 2, end), line: lineNo });
        rest = rest.slice(end + 1);
      } else {
        return;
      }
    }
  });
  return nodes;
}

function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"' || ch === "'") {
      const end = text.indexOf(ch, i + 1);
      if (end < 0) return -1;
      i = end;
    } else if (ch === '{') depth += 1;
    else if (ch === '}') {
      if (depth === 0) return i;
      depth -= 1;
    }
  }
  return -1;
}

const FILTERS: Record<string, (v: string) => string> = {
  n: (v) => v,
  str: (v) => v,
  trim: (v) => v.trim(),
};

function renderExpression(source: string, values: Record<string, TemplateValue>, at: SourceLocation): string {
  const parts = splitTopLevel(source, '|');
  const expression = parts[0]!;
  const filters = parts.length > 1 ? splitTopLevel(parts.slice(1).join('|'), ',').map((f) => f.trim()) : [];
  let value = evaluate(expression, values, at);
  let text: string | null = null;
  for (const filter of filters) {
    const fn = values[filter];
    if (typeof fn === 'function') {
      value = fn(text ?? value);
      text = null;
    } else if (filter in FILTERS) {
      text = FILTERS[filter]!(text ?? pyStr(value));
    } else {
      throw new InputError(`unknown Mako filter "${filter}"`, at);
    }
  }
  return text ?? pyStr(value);
}

function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"' || ch === "'") {
      const end = text.indexOf(ch, i + 1);
      i = end < 0 ? text.length : end;
    } else if ('([{'.includes(ch)) depth += 1;
    else if (')]}'.includes(ch)) depth -= 1;
    else if (ch === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

type Token = { kind: 'name' | 'string' | 'op'; text: string };

function tokenize(source: string, at: SourceLocation): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(==|!=|[(),]))/y;
  let i = 0;
  while (i < source.length) {
    if (/^\s*$/.test(source.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(source);
    if (!m) throw new InputError(`unsupported expression in template: \${${source.trim()}}`, at);
    if (m[1]) tokens.push({ kind: 'name', text: m[1] });
    else if (m[2]) tokens.push({ kind: 'string', text: pyUnquote(m[2]) });
    else tokens.push({ kind: 'op', text: m[3]! });
    i = re.lastIndex;
  }
  return tokens;
}

function pyUnquote(literal: string): string {
  return literal
    .slice(1, -1)
    .replace(/\\(n|t|\\|'|")/g, (_, c: string) => ({ n: '\n', t: '\t' })[c] ?? c);
}

function evaluate(source: string, values: Record<string, TemplateValue>, at: SourceLocation): TemplateValue {
  const tokens = tokenize(source, at);
  let pos = 0;
  const fail = (): never => {
    throw new InputError(`unsupported expression in template: \${${source.trim()}}`, at);
  };
  const peek = (text: string) => tokens[pos]?.text === text && tokens[pos]?.kind !== 'string';
  const expect = (text: string) => (peek(text) ? pos++ : fail());

  const conditional = (): TemplateValue => {
    const value = or();
    if (!peek('if')) return value;
    pos++;
    const condition = or();
    expect('else');
    const otherwise = conditional();
    return truthy(condition) ? value : otherwise;
  };
  const or = (): TemplateValue => {
    let value = and();
    while (peek('or')) {
      pos++;
      const right = and();
      value = truthy(value) ? value : right;
    }
    return value;
  };
  const and = (): TemplateValue => {
    let value = not();
    while (peek('and')) {
      pos++;
      const right = not();
      value = truthy(value) ? right : value;
    }
    return value;
  };
  const not = (): TemplateValue => {
    if (!peek('not')) return comparison();
    pos++;
    return !truthy(not());
  };
  const comparison = (): TemplateValue => {
    const left = call();
    if (peek('==') || peek('!=')) {
      const negate = tokens[pos++]!.text === '!=';
      return (pyRepr(left) === pyRepr(call())) !== negate;
    }
    if (peek('is')) {
      pos++;
      const negate = peek('not') ? (pos++, true) : false;
      const right = call();
      if (right !== null && typeof right !== 'boolean') fail();
      return (left === right) !== negate;
    }
    return left;
  };
  const call = (): TemplateValue => {
    let value = atom();
    while (peek('(')) {
      pos++;
      const args: TemplateValue[] = [];
      while (!peek(')')) {
        args.push(conditional());
        if (!peek(')')) expect(',');
      }
      pos++;
      if (typeof value !== 'function') fail();
      value = (value as (...a: TemplateValue[]) => TemplateValue)(...args);
    }
    return value;
  };
  const atom = (): TemplateValue => {
    const token = tokens[pos++] ?? fail();
    if (token.kind === 'string') return token.text;
    if (token.kind === 'op') {
      if (token.text !== '(') return fail();
      const value = conditional();
      expect(')');
      return value;
    }
    if (token.text === 'None') return null;
    if (token.text === 'True') return true;
    if (token.text === 'False') return false;
    if (token.text === 'repr') return (v: TemplateValue) => pyRepr(v);
    if (token.text === 'str') return (v: TemplateValue) => pyStr(v);
    if (!(token.text in values)) {
      throw new InputError(`template uses "${token.text}", which Alembic's revision command does not provide`, at);
    }
    return values[token.text]!;
  };

  const value = conditional();
  if (pos !== tokens.length) fail();
  return value;
}

function truthy(value: TemplateValue): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object' && value !== null) return true;
  return Boolean(value);
}

/** Python's `str()`: a tuple prints as its repr. */
export function pyStr(value: TemplateValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value.str;
  return pyRepr(value);
}

/** Python's `repr()` of None, booleans, strings and tuples of strings. */
export function pyRepr(value: TemplateValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return reprString(value);
  if (Array.isArray(value)) {
    return value.length === 1 ? `(${reprString(value[0]!)},)` : `(${value.map(reprString).join(', ')})`;
  }
  if (typeof value === 'function') return '<function>';
  return value.repr;
}

function reprString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const body = text
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(new RegExp(quote, 'g'), `\\${quote}`);
  return quote + body + quote;
}
