import { describe, it, expect } from 'vitest';
import { analyzeC, analyzeForIndex } from '../../server/src/index/analyze';
import { scanArosDefinitions, type ArosDefinition } from '../../server/src/index/aros';
import { lexC, lineStarts } from '../../server/src/index/lexer';

// All snippets below are written for these tests in the AROS layout; the
// library "Widget" and its functions are made up.

function scan(text: string): ArosDefinition[] {
  return scanArosDefinitions(text, lexC(text), lineStarts(text));
}

function only(text: string): ArosDefinition {
  const defs = scan(text);
  expect(defs).toHaveLength(1);
  return defs[0];
}

const LIB_FUNCTION = `/*
    Copyright (C) 2024, nobody.
*/

#include <exec/types.h>
#include "widget_intern.h"

/*****************************************************************************

    NAME */
#include <proto/widget.h>

        AROS_LH2(APTR, MakeWidget,

/*  SYNOPSIS */
        AROS_LHA(struct WidgetSpec *, spec,  A0),
        AROS_LHA(ULONG,               flags, D0),

/*  LOCATION */
        struct WidgetBase *, WidgetBase, 7, Widget)

/*  FUNCTION
        Builds a widget from a spec.

    INPUTS
        spec  - what to build
        flags - how to build it

    RESULT
        The widget, or NULL.

    NOTES

    SEE ALSO
        FreeWidget()

******************************************************************************/
{
    AROS_LIBFUNC_INIT

    if (flags) { return NULL; }
    return AllocWidget(spec);

    AROS_LIBFUNC_EXIT
} /* MakeWidget */

static int after;
`;

describe('scanArosDefinitions: library functions', () => {
  it('reads an AROS_LH2 definition with its AutoDoc', () => {
    const d = only(LIB_FUNCTION);
    expect(d.name).toBe('MakeWidget');
    expect(d.kind).toBe('function');
    expect(d.definition).toBe(true);
    expect(d.returnType).toBe('APTR');
    expect(d.params).toEqual([
      { type: 'struct WidgetSpec *', name: 'spec', register: 'A0' },
      { type: 'ULONG', name: 'flags', register: 'D0' },
    ]);
    expect(d.aros).toEqual({
      form: 'library',
      macro: 'AROS_LH2',
      baseType: 'struct WidgetBase *',
      baseName: 'WidgetBase',
      lvo: 7,
      library: 'Widget',
    });
    expect(d.signature).toBe(
      'APTR MakeWidget(struct WidgetSpec *spec /* A0 */, ULONG flags /* D0 */) /* struct WidgetBase *WidgetBase, LVO 7, Widget */',
    );
    expect(d.storage).toBeUndefined();
    expect(d.autodoc).toEqual({
      FUNCTION: 'Builds a widget from a spec.',
      INPUTS: 'spec  - what to build\nflags - how to build it',
      RESULT: 'The widget, or NULL.',
      'SEE ALSO': 'FreeWidget()',
    });
  });

  it('gives the range from the macro to the closing brace and the name as selection', () => {
    const d = only(LIB_FUNCTION);
    const macroAt = LIB_FUNCTION.indexOf('AROS_LH2');
    const closeAt = LIB_FUNCTION.indexOf('} /* MakeWidget */');
    expect(d.regionStart).toBe(macroAt);
    expect(d.regionEnd).toBe(closeAt + 1);
    const lines = LIB_FUNCTION.split('\n');
    const macroLine = lines.findIndex((l) => l.includes('AROS_LH2('));
    expect(d.range.start).toEqual({ line: macroLine, character: lines[macroLine].indexOf('AROS_LH2') });
    const endLine = lines.findIndex((l) => l.startsWith('} /* MakeWidget'));
    expect(d.range.end).toEqual({ line: endLine, character: 1 });
    const col = lines[macroLine].indexOf('MakeWidget');
    expect(d.selectionRange).toEqual({
      start: { line: macroLine, character: col },
      end: { line: macroLine, character: col + 'MakeWidget'.length },
    });
  });

  it('reads AROS_LH0 with no arguments', () => {
    const d = only(`AROS_LH0(void, ResetWidgets,
        struct WidgetBase *, WidgetBase, 5, Widget)
{
    AROS_LIBFUNC_INIT
    AROS_LIBFUNC_EXIT
}
`);
    expect(d.name).toBe('ResetWidgets');
    expect(d.params).toEqual([]);
    expect(d.aros?.lvo).toBe(5);
    expect(d.signature).toBe('void ResetWidgets(void) /* struct WidgetBase *WidgetBase, LVO 5, Widget */');
  });

  it('reads the I form (base ignored)', () => {
    const d = only(`AROS_LH1I(struct Node *, PopWidget,
        AROS_LHA(struct List *, list, A0),
        struct ExecBase *, SysBase, 9, Widget)
{
    return 0;
}`);
    expect(d.aros?.macro).toBe('AROS_LH1I');
    expect(d.name).toBe('PopWidget');
    expect(d.returnType).toBe('struct Node *');
    expect(d.params).toEqual([{ type: 'struct List *', name: 'list', register: 'A0' }]);
    expect(d.aros?.baseName).toBe('SysBase');
  });

  it('reads AROS_LHnQUADm with a register pair', () => {
    const d = only(`        AROS_LH2QUAD1(LONG, SeekWidget64,
        AROS_LHA(BPTR,  fh,     D1),
        AROS_LHA(LONG,  mode,   D2),
        AROS_LHA2(QUAD, offset, D3, D4),
        struct WidgetBase *, WidgetBase, 11, Widget)
{
    return 0;
}`);
    expect(d.aros?.macro).toBe('AROS_LH2QUAD1');
    expect(d.params).toHaveLength(3);
    expect(d.params?.[2]).toEqual({ type: 'QUAD', name: 'offset', register: 'D3/D4' });
    expect(d.aros?.lvo).toBe(11);
    expect(d.signature).toContain('QUAD offset /* D3/D4 */');
  });

  it('reads AROS_LHDOUBLEn and AROS_LHnDOUBLEm', () => {
    const defs = scan(`AROS_LHDOUBLE1(double, WidgetSqrt,
        AROS_LHA2(double, y, D0, D1),
        struct Library *, WidgetMathBase, 6, WidgetMath)
{
    return y;
}

AROS_LH1DOUBLE1(double, WidgetSinCos,
        AROS_LHA(double *, z, A0),
        AROS_LHA2(double, y, D0, D1),
        struct Library *, WidgetMathBase, 7, WidgetMath)
{
    return y;
}
`);
    expect(defs.map((d) => [d.name, d.aros?.macro, d.aros?.lvo, d.params?.length])).toEqual([
      ['WidgetSqrt', 'AROS_LHDOUBLE1', 6, 1],
      ['WidgetSinCos', 'AROS_LH1DOUBLE1', 7, 2],
    ]);
    expect(defs[1].params?.[1].register).toBe('D0/D1');
  });

  it('reads the old __AROS_LHn form with __AROS_LA arguments', () => {
    const d = only(`__AROS_LH2(ULONG, TwiddleWidget,
    __AROS_LA(ULONG, bits, D0),
    __AROS_LA(ULONG, mask, D1),
    struct WidgetBase *, WidgetBase, 8, Widget)
{
    return bits & mask;
}`);
    expect(d.name).toBe('TwiddleWidget');
    expect(d.aros?.macro).toBe('__AROS_LH2');
    expect(d.params).toEqual([
      { type: 'ULONG', name: 'bits', register: 'D0' },
      { type: 'ULONG', name: 'mask', register: 'D1' },
    ]);
    expect(d.range.start).toEqual({ line: 0, character: 0 });
  });

  it('takes the real name out of GM_UNIQUENAME() and similar wrappers', () => {
    const defs = scan(`static AROS_LH1(BPTR, GM_UNIQUENAME(WidgetExpunge),
    AROS_LHA(struct WidgetBase *, wb, D0),
    struct WidgetBase *, WidgetBase, 3, Widget)
{
    return 0;
}
AROS_UFH2(LONG, AROS_SLIB_ENTRY(ReadHook, Widget, 0),
    AROS_UFHA(APTR, buf, A0),
    AROS_UFHA(LONG, len, D0))
{
    return len;
}`);
    expect(defs.map((d) => d.name)).toEqual(['WidgetExpunge', 'ReadHook']);
    expect(defs[0].storage).toBe('static');
    const line0 = 'static AROS_LH1(BPTR, GM_UNIQUENAME(WidgetExpunge),';
    expect(defs[0].selectionRange.start.character).toBe(line0.indexOf('WidgetExpunge'));
  });

  it('shows a non-numeric LVO as written', () => {
    const d = only(`AROS_LH0(void, Poke, struct Library *, WBase, LVO_POKE, Widget)
{
}`);
    expect(d.aros?.lvo).toBeUndefined();
    expect(d.signature).toBe('void Poke(void) /* struct Library *WBase, LVO LVO_POKE, Widget */');
  });
});

describe('scanArosDefinitions: hooks', () => {
  it('reads AROS_UFH3 with registers and no library information', () => {
    const d = only(`AROS_UFH3(IPTR, WidgetDispatcher,
    AROS_UFHA(Class *,  cl,  A0),
    AROS_UFHA(Object *, obj, A2),
    AROS_UFHA(Msg,      msg, A1))
{
    AROS_USERFUNC_INIT
    return DoSuperMethodA(cl, obj, msg);
    AROS_USERFUNC_EXIT
}`);
    expect(d.name).toBe('WidgetDispatcher');
    expect(d.aros).toEqual({ form: 'hook', macro: 'AROS_UFH3' });
    expect(d.storage).toBeUndefined();
    expect(d.signature).toBe('IPTR WidgetDispatcher(Class *cl /* A0 */, Object *obj /* A2 */, Msg msg /* A1 */)');
  });

  it('marks AROS_UFHnS static', () => {
    const d = only(`AROS_UFH2S(void, PutWidgetChar,
    AROS_UFHA(UBYTE, c, D0),
    AROS_UFHA(APTR, data, A3))
{
}`);
    expect(d.aros?.macro).toBe('AROS_UFH2S');
    expect(d.storage).toBe('static');
    expect(d.signature).toBe('static void PutWidgetChar(UBYTE c /* D0 */, APTR data /* A3 */)');
  });

  it('starts the range at a static keyword written before the macro, even on the line above', () => {
    const text = `int x;

static
AROS_UFH3(void, EnumWidgets,
    AROS_UFHA(struct Hook *, hook, A0),
    AROS_UFHA(APTR, obj, A2),
    AROS_UFHA(APTR, msg, A1))
{
}
`;
    const d = only(text);
    expect(d.storage).toBe('static');
    expect(d.regionStart).toBe(text.indexOf('static'));
    expect(d.range.start).toEqual({ line: 2, character: 0 });
    expect(d.selectionRange.start.line).toBe(3);
  });

  it('reads AROS_UFH0 with nothing but return type and name', () => {
    const d = only(`AROS_UFH0(void, WidgetTask)
{
    AROS_USERFUNC_INIT
    AROS_USERFUNC_EXIT
}`);
    expect(d.name).toBe('WidgetTask');
    expect(d.params).toEqual([]);
    expect(d.signature).toBe('void WidgetTask(void)');
  });
});

describe('scanArosDefinitions: prototypes, calls and noise', () => {
  it('reports a macro followed by ; as a prototype', () => {
    const text = `AROS_LH1(void, FreeWidget,
    AROS_LHA(APTR, widget, A0),
    struct WidgetBase *, WidgetBase, 8, Widget);
int y;`;
    const d = only(text);
    expect(d.definition).toBe(false);
    expect(d.regionEnd).toBe(text.indexOf(';') + 1);
    expect(d.autodoc).toBeUndefined();
  });

  it('reports AROS_LDn and AROS_UFPn declarations as prototypes', () => {
    const defs = scan(`AROS_LD2(LONG, CompareWidgets,
    AROS_LDA(APTR, a, A0),
    AROS_LDA(APTR, b, A1),
    struct WidgetBase *, WidgetBase, 12, Widget);

AROS_UFP3(IPTR, WidgetHook,
    AROS_UFPA(struct Hook *, hook, A0),
    AROS_UFPA(APTR, obj, A2),
    AROS_UFPA(APTR, msg, A1));
`);
    expect(defs.map((d) => [d.name, d.definition, d.aros?.macro, d.aros?.form])).toEqual([
      ['CompareWidgets', false, 'AROS_LD2', 'library'],
      ['WidgetHook', false, 'AROS_UFP3', 'hook'],
    ]);
    expect(defs[0].aros?.lvo).toBe(12);
    expect(defs[1].params?.[0]).toEqual({ type: 'struct Hook *', name: 'hook', register: 'A0' });
  });

  it('does not report calls (AROS_LCn, AROS_UFCn) or macros used as values', () => {
    const defs = scan(`void f(void)
{
    LONG r = AROS_LC2(LONG, CompareWidgets,
        AROS_LCA(APTR, a, A0),
        AROS_LCA(APTR, b, A1),
        struct WidgetBase *, WidgetBase, 12, Widget);
    AROS_UFC3(void, hook->h_Entry,
        AROS_UFCA(struct Hook *, hook, A0),
        AROS_UFCA(APTR, obj, A2),
        AROS_UFCA(APTR, msg, A1));
    x = AROS_UFH2(void, Nope, AROS_UFHA(APTR, a, A0), AROS_UFHA(APTR, b, A1));
    g(AROS_LH0(void, Nope2, struct Library *, L, 5, L));
}`);
    expect(defs).toEqual([]);
  });

  it('ignores invocations inside #define bodies, with continuation lines', () => {
    const defs = scan(`#define WIDGET_FUNC(n) \\
    AROS_LH0(void, n, \\
        struct WidgetBase *, WidgetBase, 5, Widget) \\
    { }
#define WIDGET_HOOK AROS_UFH0(void, h) { }
`);
    expect(defs).toEqual([]);
  });

  it('ignores AROS_LH in comments and strings', () => {
    const defs = scan(`/* AROS_LH1(void, InComment,
    AROS_LHA(APTR, a, A0),
    struct Library *, B, 5, L)
{ } */
// AROS_UFH0(void, InLineComment) { }
const char *s = "AROS_LH0(void, InString, struct Library *, B, 5, L) { }";
`);
    expect(defs).toEqual([]);
  });

  it('survives unterminated and malformed invocations without bogus symbols', () => {
    const cases = [
      'AROS_LH2(APTR, Half,\n    AROS_LHA(APTR, a, A0),\n',
      'AROS_LH2(APTR, Half, AROS_LHA(APTR, a, A0)\n{\n}\n',
      'AROS_LH1(void, TooFew)\n{\n}\n',
      'AROS_UFH3(void, NoBody,\n AROS_UFHA(APTR, a, A0))\nint x;\n',
      'AROS_LH1(',
      'AROS_UFH2(void, )\n{}',
      'AROS_LH0 void Foo(void) {}',
      'AROS_LH\n',
    ];
    for (const c of cases) {
      expect(() => scan(c)).not.toThrow();
      expect(scan(c)).toEqual([]);
    }
  });

  it('runs an unbalanced body to the end of the text', () => {
    const text = 'AROS_UFH0(void, Typing)\n{\n    if (x) {\n';
    const d = only(text);
    expect(d.definition).toBe(true);
    expect(d.regionEnd).toBe(text.length);
  });

  it('finds the body after an #else branch with a plain C head', () => {
    const defs = scan(`#ifdef __AROS__
AROS_LH1(LONG, WidgetOpen,
    AROS_LHA(struct IORequest *, req, A1),
    struct WidgetBase *, WidgetBase, 1, Widget)
#else
LONG WidgetOpen(struct IORequest *req)
#endif
{
    return 0;
}
`);
    expect(defs).toHaveLength(1);
    expect(defs[0].definition).toBe(true);
    expect(defs[0].name).toBe('WidgetOpen');
  });

  it('matches the body braces across #if/#else and #if 0 blocks', () => {
    const text = `AROS_UFH0(void, First)
{
#if defined(FAST)
    if (a) {
#else
    if (b) {
#endif
        go();
    }
#if 0
    if (c) {
#endif
}

AROS_UFH0(void, Second)
{
}
`;
    const defs = scan(text);
    expect(defs.map((d) => d.name)).toEqual(['First', 'Second']);
    expect(defs[0].regionEnd).toBe(text.indexOf('}\n\nAROS_UFH0(void, Second)') + 1);
    expect(defs[0].regionEnd).toBeLessThan(defs[1].regionStart);
  });

  it('drops preprocessor lines inside the argument list', () => {
    const d = only(`AROS_LH2(void, Tune,
    AROS_LHA(APTR, a, A0),
#if WIDE
    AROS_LHA(ULONG, b, D0),
#endif
    struct WidgetBase *, WidgetBase, 9, Widget)
{
}`);
    expect(d.params?.map((p) => p.name)).toEqual(['a', 'b']);
    expect(d.aros?.baseType).toBe('struct WidgetBase *');
  });

  it('handles CRLF line ends', () => {
    const d = only('AROS_UFH1(void, Crlf,\r\n    AROS_UFHA(APTR, a, A0))\r\n{\r\n}\r\n');
    expect(d.name).toBe('Crlf');
    expect(d.range.end).toEqual({ line: 3, character: 1 });
  });
});

describe('scanArosDefinitions: documentation', () => {
  it('attaches a one-comment AutoDoc with a * margin', () => {
    const d = only(`/****** widget.library/SpinWidget ******************************************
*
*   NAME
*       SpinWidget -- turn a widget around
*
*   FUNCTION
*       Turns it.
*         Really.
*
*****************************************************************************
*/

AROS_LH1(void, SpinWidget,
    AROS_LHA(APTR, w, A0),
    struct WidgetBase *, WidgetBase, 10, Widget)
{
}`);
    expect(d.autodoc).toEqual({
      NAME: 'SpinWidget -- turn a widget around',
      FUNCTION: 'Turns it.\n  Really.',
    });
  });

  it('does not take a separator row for an AutoDoc; a plain comment above becomes doc', () => {
    const defs = scan(`/*********************************************************************/

/* Called for every widget in the list. */
AROS_UFH3(void, VisitWidget,
    AROS_UFHA(struct Hook *, hook, A0),
    AROS_UFHA(APTR, obj, A2),
    AROS_UFHA(APTR, msg, A1))
{
}

/*********************************************************************/
AROS_UFH0(void, Bare)
{
}`);
    expect(defs[0].autodoc).toBeUndefined();
    expect(defs[0].doc).toBe('Called for every widget in the list.');
    expect(defs[1].autodoc).toBeUndefined();
    expect(defs[1].doc).toBeUndefined();
  });

  it('ignores comments on #define lines between the banner and the macro', () => {
    const d = only(`/*****************************************************************************

    NAME */
#define NO_WIDGET_INLINES /* keep the stubs out */
#include <proto/widget.h>

        AROS_UFH1(APTR, WidgetAlloc,

/*  SYNOPSIS */
        AROS_UFHA(ULONG, size, D0))

/*  FUNCTION
        Allocates.
******************************************************************************/
{
    return 0;
}`);
    expect(d.autodoc).toEqual({ FUNCTION: 'Allocates.' });
  });
});

describe('interrupt handlers and process entries', () => {
  it('reads AROS_INTH0-4 and AROS_PROCH as hooks with the parameters their macros fix', () => {
    const text = [
      'static AROS_INTH1(VBlankServer, struct WidgetBase *, wb)',
      '{',
      '    AROS_INTFUNC_INIT',
      '    return 0;',
      '    AROS_INTFUNC_EXIT',
      '}',
      'AROS_INTH0(SoftDispatch)',
      '{',
      '}',
      'AROS_INTH4(Level6, struct Custom *, hw, mask, custom, code)',
      '{',
      '}',
      '__startup static AROS_PROCH(Start, argstr, argsize, SysBase)',
      '{',
      '    AROS_PROCFUNC_INIT',
      '    return Main(SysBase);',
      '    AROS_PROCFUNC_EXIT',
      '}',
      'AROS_INTH2(Broken, struct X *)', // an argument short: not one
      '{',
      '}',
      '#define AROS_INTH1(n, type, data) AROS_INTH4(n, type, data, __ufi_intmask, __ufi_custom, __ufi_code)',
    ].join('\n');
    const defs = scan(text);
    expect(defs.map((d) => [d.name, d.signature, d.range.start.line, d.range.end.line, d.aros?.form])).toEqual([
      ['VBlankServer', 'static ULONG VBlankServer(struct WidgetBase *wb /* A1 */)', 0, 5, 'hook'],
      ['SoftDispatch', 'ULONG SoftDispatch(void)', 6, 8, 'hook'],
      ['Level6', 'ULONG Level6(struct Custom *hw /* A1 */, ULONG mask /* D1 */, APTR custom /* A0 */, VOID_FUNC code /* A5 */)', 9, 11, 'hook'],
      ['Start', '__startup static SIPTR Start(STRPTR argstr /* A0 */, ULONG argsize /* D0 */, struct ExecBase *SysBase /* A6 */)', 12, 17, 'hook'],
    ]);
  });
});

describe('BOOPSI dispatchers', () => {
  it('reads BOOPSI_DISPATCHER as a hook of Class *, Object * and Msg, and BOOPSI_DISPATCHER_PROTO as its prototype', () => {
    const text = [
      'BOOPSI_DISPATCHER_PROTO(IPTR, Gauge_Dispatcher, cl, obj, msg);',
      'BOOPSI_DISPATCHER(IPTR, Gauge_Dispatcher, cl, obj, msg)',
      '{',
      '    switch (msg->MethodID) { case OM_NEW: return 0; }',
      '    return DoSuperMethodA(cl, obj, msg);',
      '}',
      'BOOPSI_DISPATCHER_END',
      'static BOOPSI_DISPATCHER(ULONG, Test_Dispatcher, CLASS, self, message)',
      '{',
      '}',
      'BOOPSI_DISPATCHER_END',
      'BOOPSI_DISPATCHER(IPTR, Short, cl, obj)', // an argument short: not one
      '{',
      '}',
      'BOOPSI_DISPATCHER_PROTO(IPTR, NotADefinition, cl, obj, msg)',
      '{',
      '}',
      '#define BOOPSI_DISPATCHER(rettype,name,cl,obj,msg) AROS_UFH3(rettype, name, AROS_UFHA(Class *, cl, A0), AROS_UFHA(Object *, obj, A2), AROS_UFHA(Msg, msg, A1))',
    ].join('\n');
    const defs = scan(text);
    expect(defs.map((d) => [d.name, d.definition, d.signature, d.range.start.line, d.range.end.line, d.aros?.form, d.aros?.macro])).toEqual([
      ['Gauge_Dispatcher', false, 'IPTR Gauge_Dispatcher(Class *cl /* A0 */, Object *obj /* A2 */, Msg msg /* A1 */)', 0, 0, 'hook', 'BOOPSI_DISPATCHER_PROTO'],
      ['Gauge_Dispatcher', true, 'IPTR Gauge_Dispatcher(Class *cl /* A0 */, Object *obj /* A2 */, Msg msg /* A1 */)', 1, 5, 'hook', 'BOOPSI_DISPATCHER'],
      ['Test_Dispatcher', true, 'static ULONG Test_Dispatcher(Class *CLASS /* A0 */, Object *self /* A2 */, Msg message /* A1 */)', 7, 9, 'hook', 'BOOPSI_DISPATCHER'],
    ]);
  });

  it('indexes a MUI class file with its dispatcher and without errors', () => {
    const text = [
      'IPTR Gauge__OM_NEW(struct IClass *cl, Object *obj, struct opSet *msg) { return 0; }',
      'BOOPSI_DISPATCHER(IPTR, Gauge_Dispatcher, cl, obj, msg)',
      '{',
      '    return Gauge__OM_NEW(cl, obj, (struct opSet *)msg);',
      '}',
      'BOOPSI_DISPATCHER_END',
      'const struct __MUIBuiltinClass _MUI_Gauge_desc = { MUIC_Gauge, MUIC_Area, 0, (void *)Gauge_Dispatcher };',
      '',
    ].join('\n');
    const analysis = analyzeForIndex(text);
    expect(analysis.hasErrors).toBe(false);
    expect(analysis.symbols.map((s) => `${s.kind} ${s.name}`)).toEqual(['function Gauge__OM_NEW', 'function Gauge_Dispatcher', 'variable _MUI_Gauge_desc']);
    expect(analysis).toEqual(analyzeC(text).analysis);
  });
});
