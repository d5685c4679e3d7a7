import { describe, it, expect } from 'vitest';
import { modtypeFromMmakefile, parseConfFile, splitDeclaration } from '../../server/src/index/conf';

// Module description files written for these tests in the genmodule format;
// the modules are made up.

const WIDGET_CONF = `##begin config
version 41.3
libbasetype struct WidgetBaseIntern
##end config

##begin cdef
#include <libraries/widget.h>
APTR MakeWidgetTags(ULONG tag1, ...);
##end cdef

##begin functionlist
.version 40
APTR MakeWidget(struct WidgetSpec *spec, ULONG flags) (A0, D0)
void FreeWidget(APTR widget) (A0)
.private
.skip 2
# Reserved for the future
LONG CountWidgets() ()
.alias NumWidgets
.function Widget_Count
BOOL SetWidgetHook(APTR widget, LONG (*hook)(APTR, ULONG)) (A0, A1)

.version 41
double WidgetRatio(double r) (D0/D1)   # returns a ratio
##end functionlist

##begin class
##begin config
basename WidgetGadget
type gadget
##end config
##begin methodlist
OM_NEW
##end methodlist
##end class
`;

describe('parseConfFile: libraries', () => {
  const conf = parseConfFile(WIDGET_CONF, '/src/workbench/libs/widget/widget.conf');

  it('takes the library name from the file name and defaults the base name', () => {
    expect(conf.library).toBe('Widget');
    expect(conf.baseName).toBe('WidgetBase');
    expect(conf.baseType).toBe('struct WidgetBaseIntern');
    expect(conf.type).toBe('library');
    expect(conf.firstLvo).toBe(5);
  });

  it('numbers LVOs from 5, honouring .skip and empty lines, not directives or comments', () => {
    expect(conf.functions.map((f) => [f.name, f.aros?.lvo])).toEqual([
      ['MakeWidget', 5],
      ['FreeWidget', 6],
      ['CountWidgets', 9],
      ['NumWidgets', 9],
      ['SetWidgetHook', 10],
      ['WidgetRatio', 12],
    ]);
  });

  it('reads parameters with registers and builds the signature', () => {
    const make = conf.functions[0];
    expect(make.kind).toBe('function');
    expect(make.definition).toBe(false);
    expect(make.returnType).toBe('APTR');
    expect(make.params).toEqual([
      { type: 'struct WidgetSpec *', name: 'spec', register: 'A0' },
      { type: 'ULONG', name: 'flags', register: 'D0' },
    ]);
    expect(make.aros).toEqual({
      form: 'library',
      macro: 'conf',
      lvo: 5,
      library: 'Widget',
      baseName: 'WidgetBase',
      baseType: 'struct Library *',
    });
    expect(make.signature).toBe(
      'APTR MakeWidget(struct WidgetSpec *spec /* A0 */, ULONG flags /* D0 */) /* struct Library *WidgetBase, LVO 5, Widget */',
    );
    const hook = conf.functions.find((f) => f.name === 'SetWidgetHook');
    expect(hook?.params?.[1]).toEqual({ type: 'LONG (*)(APTR, ULONG)', name: 'hook', register: 'A1' });
    const ratio = conf.functions.find((f) => f.name === 'WidgetRatio');
    expect(ratio?.params).toEqual([{ type: 'double', name: 'r', register: 'D0/D1' }]);
    const count = conf.functions.find((f) => f.name === 'CountWidgets');
    expect(count?.params).toEqual([]);
    expect(count?.signature).toBe('LONG CountWidgets(void) /* struct Library *WidgetBase, LVO 9, Widget */');
  });

  it('puts ranges on the entry line, the selection on the name', () => {
    const lines = WIDGET_CONF.split('\n');
    const free = conf.functions[1];
    const line = lines.findIndex((l) => l.startsWith('void FreeWidget'));
    expect(free.range).toEqual({ start: { line, character: 0 }, end: { line, character: lines[line].length } });
    expect(free.selectionRange).toEqual({ start: { line, character: 5 }, end: { line, character: 15 } });
    const alias = conf.functions.find((f) => f.name === 'NumWidgets');
    const aliasLine = lines.findIndex((l) => l.startsWith('.alias NumWidgets'));
    expect(alias?.selectionRange.start).toEqual({ line: aliasLine, character: 7 });
    expect(alias?.signature).toContain('LONG NumWidgets(void)');
  });

  it('ignores class sections and their config', () => {
    expect(conf.library).toBe('Widget');
    expect(conf.functions.some((f) => f.name === 'OM_NEW')).toBe(false);
  });
});

describe('parseConfFile: numbering by module type', () => {
  it('counts from 1 with options noresident (exec style, open/close listed)', () => {
    const conf = parseConfFile(
      `##begin config
libbase CoreBase
libbasetype struct IntCoreBase
libbasetypeextern struct CoreBase
options noresident, noautolib
##end config
##begin functionlist
struct CoreBase *open(ULONG version) (D0)
.private
BPTR close() ()
.private
.skip 2
void CoreFirst() ()
##end functionlist
`,
      'core.conf',
    );
    expect(conf.firstLvo).toBe(1);
    expect(conf.functions.map((f) => [f.name, f.aros?.lvo])).toEqual([
      ['open', 1],
      ['close', 2],
      ['CoreFirst', 5],
    ]);
    expect(conf.functions[2].aros?.baseType).toBe('struct CoreBase *');
    expect(conf.baseName).toBe('CoreBase');
  });

  it('treats beginio_func as a device: BeginIO 5, AbortIO 6, the list from 7', () => {
    const text = `##begin config
version 41.1
libbasetype struct TickBase
beginio_func TickBeginIO
abortio_func TickAbortIO
##end config
##begin functionlist
void AddTicks(struct tick *a, struct tick *b) (A0, A1)
##end functionlist
`;
    const conf = parseConfFile(text, 'devs/tick/tick.conf');
    expect(conf.type).toBe('device');
    expect(conf.functions.map((f) => [f.name, f.aros?.lvo])).toEqual([
      ['BeginIO', 5],
      ['AbortIO', 6],
      ['AddTicks', 7],
    ]);
    expect(conf.functions[0].params).toEqual([{ type: 'struct IORequest *', name: 'ioreq', register: 'A1' }]);
    expect(conf.functions[2].aros?.baseType).toBe('struct Device *');
    expect(conf.functions[0].range.start.line).toBe(3);
  });

  it('counts resources from 1 when told the module type', () => {
    const text = `##begin config
libbase ClockBase
##end config
##begin functionlist
void ResetClock() ()
ULONG ReadClock() ()
##end functionlist
`;
    const res = parseConfFile(text, 'rom/clock/clock.conf', { modtype: 'resource' });
    expect(res.functions.map((f) => f.aros?.lvo)).toEqual([1, 2]);
    expect(res.functions[0].aros?.baseType).toBe('APTR');
    // Without the type a library is assumed.
    expect(parseConfFile(text, 'rom/clock/clock.conf').functions.map((f) => f.aros?.lvo)).toEqual([5, 6]);
    expect(parseConfFile(text, 'clock.conf', { modtype: 'mui' }).firstLvo).toBe(6);
  });

  it('uses basename for the library name and reads cfunctionlist without registers', () => {
    const conf = parseConfFile(
      `##begin config
basename ZWidget
##end config
##begin cfunctionlist
int zw_open(const char *name, int mode)
##end cfunctionlist
`,
      'zwidget.conf',
    );
    expect(conf.library).toBe('ZWidget');
    expect(conf.baseName).toBe('ZWidgetBase');
    expect(conf.functions[0].params).toEqual([
      { type: 'const char *', name: 'name' },
      { type: 'int', name: 'mode' },
    ]);
    expect(conf.functions[0].aros?.lvo).toBe(5);
  });

  it('tolerates junk and a missing ##end', () => {
    const conf = parseConfFile('##begin functionlist\nnot a function\nAPTR ok(APTR a) (A0)\nbroken(\n', 'x.conf');
    expect(conf.functions.map((f) => [f.name, f.aros?.lvo])).toEqual([['ok', 6]]);
  });
});

describe('splitDeclaration', () => {
  it('separates type and name', () => {
    expect(splitDeclaration('struct Node *node')).toEqual({ type: 'struct Node *', name: 'node' });
    expect(splitDeclaration('CONST_STRPTR  name')).toEqual({ type: 'CONST_STRPTR', name: 'name' });
    expect(splitDeclaration('UBYTE buf[32]')).toEqual({ type: 'UBYTE [32]', name: 'buf' });
    expect(splitDeclaration('void (*fn)(APTR)')).toEqual({ type: 'void (*)(APTR)', name: 'fn' });
    expect(splitDeclaration('ULONG')).toEqual({ type: 'ULONG', name: '' });
    expect(splitDeclaration('struct TagItem')).toEqual({ type: 'struct TagItem', name: '' });
    expect(splitDeclaration('...')).toEqual({ type: '...', name: '' });
  });
});

describe('modtypeFromMmakefile', () => {
  it('finds the modtype of the named module', () => {
    const mm = `include $(SRCDIR)/config/aros.cfg

%build_module mmake=kernel-clock \\
    modname=clock modtype=resource \\
    files="$(FILES)"

%build_module mmake=kernel-clock-extra \\
    modname=clockextra modtype=library
`;
    expect(modtypeFromMmakefile(mm, 'clock')).toBe('resource');
    expect(modtypeFromMmakefile(mm, 'clockextra')).toBe('library');
    expect(modtypeFromMmakefile(mm, 'other')).toBeUndefined();
    expect(modtypeFromMmakefile('%build_module modname=x modtype=device\n', 'y')).toBe('device');
  });
});
