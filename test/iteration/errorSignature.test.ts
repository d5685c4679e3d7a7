// Error signatures and kinds, on messages gcc 12 printed for real
// (`gcc -fsyntax-only -Wall -Wextra`, `gcc` linking, UTF-8 and LANG=C).

import { describe, expect, it } from 'vitest';
import { errorKind, normaliseError, normaliseFlag, parseMessage, signatureSimilarity } from '../../server/src/iteration/errorSignature';

describe('normaliseError', () => {
  it('gives one signature to the same error with different names', () => {
    const a = normaliseError('‘foo’ undeclared (first use in this function)');
    const b = normaliseError('‘bar’ undeclared (first use in this function)');
    expect(a).toBe(b);
    expect(a).toBe("'<id>' undeclared (first use in this function)");
  });

  it('drops the location and severity prefix, whichever file and line', () => {
    const a = normaliseError('b.c:5:3: error: ‘undeclared_var’ undeclared (first use in this function)');
    const b = normaliseError('workbench/hidds/radeonsi/radeon_drv.c:1203:17: error: ‘pScrn’ undeclared (first use in this function)');
    expect(a).toBe(b);
    expect(a).toBe(normaliseError('‘x’ undeclared (first use in this function)'));
  });

  it('reads gcc quotes and LANG=C quotes alike, and the apostrophe of isn’t', () => {
    expect(normaliseError("b.c:5:3: error: 'undeclared_var' undeclared (first use in this function)")).toBe(
      normaliseError('b.c:5:3: error: ‘undeclared_var’ undeclared (first use in this function)'),
    );
    expect(normaliseError('b.c:10:7: error: storage size of ‘b’ isn’t known')).toBe(normaliseError("b.c:10:7: error: storage size of 'b' isn't known"));
    expect(normaliseError("storage size of 'b' isn't known")).toBe("storage size of '<id>' isn't known");
  });

  it('abstracts type names, keeping the shape of the message', () => {
    const a = normaliseError('b.c:6:12: warning: initialization of ‘int *’ from ‘int’ makes pointer from integer without a cast [-Wint-conversion]');
    const b = normaliseError('x.c:3:5: warning: initialization of ‘char *’ from ‘long unsigned int’ makes pointer from integer without a cast [-Wint-conversion]');
    expect(a).toBe(b);
    expect(a).toBe("initialization of '<type>' from '<type>' makes pointer from integer without a cast [-Wint-conversion]");
    expect(normaliseError('b.c:7:18: error: ‘struct Foo’ has no member named ‘b’')).toBe("'<type>' has no member named '<id>'");
    expect(normaliseError('b.c:7:18: error: ‘struct Library’ has no member named ‘lib_Vers’')).toBe("'<type>' has no member named '<id>'");
  });

  it('drops gcc’s {aka …}, which depends on the headers, not on the mistake', () => {
    expect(
      normaliseError('x.c:3:5: error: initialization of ‘ULONG *’ {aka ‘long unsigned int *’} from ‘int’ makes pointer from integer without a cast [-Wint-conversion]'),
    ).toBe("initialization of '<type>' from '<type>' makes pointer from integer without a cast [-Wint-conversion]");
  });

  it('keeps punctuation and keywords in quotes: they are the syntax error', () => {
    expect(normaliseError('d.c:1:28: error: expected ‘,’ or ‘;’ before ‘return’')).toBe("expected ',' or ';' before 'return'");
    expect(normaliseError('f.c:1:23: error: expected ‘;’ before ‘}’ token')).toBe("expected ';' before '}' token");
    expect(normaliseError('f.c:1:23: error: expected ‘;’ before ‘}’ token')).not.toBe(normaliseError('d.c:1:38: error: expected statement before ‘)’ token'));
    expect(normaliseError('f.c:3:36: error: expected ‘;’ before ‘i’')).toBe(normaliseError('g.c:9:2: error: expected ‘;’ before ‘count’'));
  });

  it('abstracts numbers, hex and paths', () => {
    expect(normaliseError('e.c:13:11: error: invalid digit "8" in octal constant')).toBe("invalid digit '<n>' in octal constant");
    expect(normaliseError('e.c:9:5: warning: passing argument 1 of ‘g’ makes integer from pointer without a cast [-Wint-conversion]')).toBe(
      normaliseError('z.c:2:1: warning: passing argument 3 of ‘AllocMem’ makes integer from pointer without a cast [-Wint-conversion]'),
    );
    expect(normaliseError('a.c:2:10: fatal error: missing_header.h: No such file or directory')).toBe('<path>: No such file or directory');
    expect(normaliseError('a.c:2:10: fatal error: proto/exec.h: No such file or directory')).toBe('<path>: No such file or directory');
    expect(normaliseError("c.c:(.text+0xa): undefined reference to `undefined_link_fn'")).toBe("undefined reference to '<id>'");
    expect(normaliseError("/usr/bin/ld: c.c:(.text+0x16): undefined reference to `other_fn2'")).toBe("undefined reference to '<id>'");
    expect(normaliseError('collect2: error: ld returned 1 exit status')).toBe('ld returned <n> exit status');
    expect(normaliseError('/usr/bin/ld: /tmp/ccxKkw5Y.o: in function `main\':')).toBe("<path>: in function '<id>':");
  });

  it('does not take a lone double quote for a quotation', () => {
    expect(normaliseError('i.c:1:24: error: missing terminating " character')).toBe('missing terminating " character');
  });

  it('appends the flag, given or read, with -Werror= folded into -W', () => {
    const read = normaliseError('b.c:9:3: warning: implicit declaration of function ‘foo_bar’ [-Wimplicit-function-declaration]');
    const promoted = normaliseError("b.c:9:3: error: implicit declaration of function 'foo_bar' [-Werror=implicit-function-declaration]");
    const given = normaliseError('implicit declaration of function ‘AllocVec’', { flag: '-Wimplicit-function-declaration' });
    const bare = normaliseError('implicit declaration of function ‘AllocVec’', { flag: 'implicit-function-declaration' });
    expect(read).toBe("implicit declaration of function '<id>' [-Wimplicit-function-declaration]");
    expect(promoted).toBe(read);
    expect(given).toBe(read);
    expect(bare).toBe(read);
  });

  it('keeps different kinds of errors apart', () => {
    const signatures = [
      '‘foo’ undeclared (first use in this function)',
      '‘foo’ undeclared here (not in a function)',
      'unknown type name ‘foo’',
      '‘struct Foo’ has no member named ‘foo’',
      'implicit declaration of function ‘foo’ [-Wimplicit-function-declaration]',
      'too many arguments to function ‘foo’',
      'too few arguments to function ‘foo’',
      'redefinition of ‘foo’',
      'conflicting types for ‘foo’; have ‘int(void)’',
      "undefined reference to `foo'",
      'expected ‘;’ before ‘foo’',
      'called object ‘foo’ is not a function or function pointer',
    ].map((m) => normaliseError(m));
    expect(new Set(signatures).size).toBe(signatures.length);
  });
});

describe('parseMessage', () => {
  it('splits off location, severity and flag', () => {
    expect(parseMessage('e.c:9:5: warning: pointer targets in passing argument 1 of ‘g’ differ in signedness [-Wpointer-sign]')).toEqual({
      text: 'pointer targets in passing argument 1 of ‘g’ differ in signedness',
      severity: 'warning',
      flag: '-Wpointer-sign',
    });
    expect(parseMessage('h.c:1: error: unterminated #if')).toEqual({ text: 'unterminated #if', severity: 'error', flag: undefined });
    expect(parseMessage('stray ‘@’ in program')).toEqual({ text: 'stray ‘@’ in program', severity: undefined, flag: undefined });
  });

  it('folds flags', () => {
    expect(normaliseFlag('-Werror=int-conversion')).toBe('-Wint-conversion');
    expect(normaliseFlag('int-conversion')).toBe('-Wint-conversion');
    expect(normaliseFlag('-Wunused-variable,-Werror')).toBe('-Wunused-variable');
  });
});

describe('errorKind', () => {
  const cases: [string, ReturnType<typeof errorKind>][] = [
    ['d.c:1:28: error: expected ‘,’ or ‘;’ before ‘return’', 'syntax'],
    ['d.c:1:38: error: expected statement before ‘)’ token', 'syntax'],
    ['d.c:1:38: error: expected declaration or statement at end of input', 'syntax'],
    ['e.c:20:10: error: expected expression before ‘;’ token', 'syntax'],
    ['f.c:1:23: error: expected ‘;’ before ‘}’ token', 'syntax'],
    ['j.c:1:42: error: stray ‘@’ in program', 'syntax'],
    ['i.c:1:24: error: missing terminating " character', 'syntax'],
    ['h.c:1: error: unterminated #if', 'syntax'],
    ['e.c:13:11: error: invalid digit "8" in octal constant', 'syntax'],
    ['b.c:5:3: error: ‘undeclared_var’ undeclared (first use in this function)', 'undeclared'],
    ['x.c:1:5: error: ‘SysBase’ undeclared here (not in a function)', 'undeclared'],
    ['e.c:14:3: error: unknown type name ‘unknown_type_t’', 'undeclared'],
    ['b.c:7:18: error: ‘struct Foo’ has no member named ‘b’', 'undeclared'],
    ['a.c:2:10: fatal error: missing_header.h: No such file or directory', 'undeclared'],
    ['b.c:10:7: error: storage size of ‘b’ isn’t known', 'type'],
    ['b.c:11:13: error: incompatible types when initializing type ‘float’ using type ‘char *’', 'type'],
    ['b.c:12:18: error: request for member ‘x’ in something not a structure or union', 'type'],
    ['b.c:13:3: error: too many arguments to function ‘f’', 'type'],
    ['b.c:13:11: error: too few arguments to function ‘f’', 'type'],
    ['b.c:14:12: error: invalid operands to binary + (have ‘struct Foo’ and ‘int’)', 'type'],
    ['e.c:17:29: error: invalid use of undefined type ‘struct Library’', 'type'],
    ['j.c:1:15: error: called object ‘a’ is not a function or function pointer', 'type'],
    ['b.c:9:3: warning: implicit declaration of function ‘foo_bar’ [-Wimplicit-function-declaration]', 'implicit-declaration'],
    ["b.c:9:3: error: implicit declaration of function 'foo_bar' [-Werror=implicit-function-declaration]", 'implicit-declaration'],
    ["c.c:(.text+0xa): undefined reference to `undefined_link_fn'", 'linker'],
    ["/usr/bin/ld: c.c:(.text+0x16): undefined reference to `other_fn2'", 'linker'],
    ['collect2: error: ld returned 1 exit status', 'linker'],
    ['b.c:6:12: warning: initialization of ‘int *’ from ‘int’ makes pointer from integer without a cast [-Wint-conversion]', 'warning'],
    ['b.c:11:9: warning: unused variable ‘q’ [-Wunused-variable]', 'warning'],
    ['b.c:12:7: warning: variable ‘arr’ set but not used [-Wunused-but-set-variable]', 'warning'],
    ['b.c:19:5: error: redefinition of ‘o’', 'other'],
    ['x.c:1:1: internal compiler error: Segmentation fault', 'other'],
  ];

  it.each(cases)('%s → %s', (message, kind) => {
    expect(errorKind(message)).toBe(kind);
  });

  it('uses the flag and severity when the message carries neither', () => {
    expect(errorKind('initialization of ‘int *’ from ‘int’ makes pointer from integer without a cast', '-Wint-conversion')).toBe('type');
    expect(errorKind('initialization of ‘int *’ from ‘int’ makes pointer from integer without a cast', '-Wint-conversion', 'warning')).toBe('warning');
    expect(errorKind('unused variable ‘z’', '-Wunused-variable')).toBe('warning');
    expect(errorKind('unused variable ‘z’', '-Werror=unused-variable', 'error')).toBe('other');
    expect(errorKind('implicit declaration of function ‘AllocVec’', '-Wimplicit-function-declaration', 'warning')).toBe('implicit-declaration');
  });
});

describe('signatureSimilarity', () => {
  const sig = (m: string): string => normaliseError(m);

  it('is 1 for the same signature and ranks related messages above unrelated ones', () => {
    const undeclared = sig('‘foo’ undeclared (first use in this function)');
    const here = sig('‘foo’ undeclared here (not in a function)');
    const member = sig('‘struct Foo’ has no member named ‘b’');
    const syntax = sig('expected ‘;’ before ‘}’ token');
    expect(signatureSimilarity(undeclared, undeclared)).toBe(1);
    expect(signatureSimilarity(undeclared, here)).toBeGreaterThan(signatureSimilarity(undeclared, member));
    expect(signatureSimilarity(undeclared, here)).toBeGreaterThan(signatureSimilarity(undeclared, syntax));
    expect(signatureSimilarity(sig('too many arguments to function ‘f’'), sig('too few arguments to function ‘f’'))).toBeGreaterThan(0.5);
  });
});
