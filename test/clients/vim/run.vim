" Drives clients/vim/aros-lsp.vim with ALE (Debian's vim-ale) against the real
" server: hover and go to definition of AllocMem, workspace symbols, and
" aros/runIteration through ALE's custom-request API. Prints one OK line per
" check; any failure prints FAIL and exits non-zero.

let s:cfg = json_decode(join(readfile($AROS_LSP_TEST_CONFIG), "\n"))
let s:failed = 0

function! s:out(line) abort
  call writefile([a:line], $AROS_LSP_TEST_LOG, 'a')
endfunction

function! s:check(name, ok, detail) abort
  if a:ok
    call s:out('OK ' . a:name)
  else
    call s:out('FAIL ' . a:name . ': ' . a:detail)
    let s:failed = 1
  endif
endfunction

function! s:wait(cond, seconds) abort
  let l:start = reltime()
  while !eval(a:cond) && reltimefloat(reltime(l:start)) < a:seconds
    sleep 50m
  endwhile
  return eval(a:cond)
endfunction

set nocompatible
filetype plugin on
execute 'set runtimepath^=' . $ALE_DIR
runtime plugin/ale.vim
let g:ale_linters = {'c': ['aros-lsp']}
let g:ale_linters_explicit = 1
let g:aros_lsp_command = s:cfg.cmd
let g:aros_lsp_init_options = s:cfg.initializationOptions
execute 'source ' . $AROS_LSP_VIM
call s:check('config-loaded', exists(':ArosRunIteration') == 2 && exists(':ArosStatus') == 2, 'commands missing')

execute 'edit ' . s:cfg.root . '/workbench/libs/mylib/makelist.c'
set filetype=c
call s:check('root', ArosLspRoot(expand('%:p')) ==# s:cfg.root || isdirectory(ArosLspRoot(expand('%:p')) . '/rom'), ArosLspRoot(expand('%:p')))

let s:replies = {}
function! s:on_reply(name, response) abort
  let s:replies[a:name] = a:response
endfunction

" The server answers during indexing from what it has; wait until it has AllocMem.
let s:found = 0
let s:start = reltime()
while !s:found && reltimefloat(reltime(s:start)) < 60
  let s:replies = {}
  call ale#lsp_linter#SendRequest(bufnr(''), 'aros-lsp', ale#lsp#message#Symbol('AllocMem'), function('s:on_reply', ['symbol']))
  call s:wait('has_key(s:replies, "symbol")', 20)
  let s:found = has_key(s:replies, 'symbol') && type(get(s:replies.symbol, 'result', v:null)) == v:t_list && len(filter(copy(s:replies.symbol.result), {_, v -> v.name ==# 'AllocMem'})) > 0
  if !s:found
    sleep 500m
  endif
endwhile
call s:check('workspace-symbol', s:found, string(get(s:replies, 'symbol', 'no reply')))

" makelist.c line 65: `    list = AllocMem(sizeof(struct MinList), ...` — AllocMem starts at column 12 (1-based).
let s:line = search('list = AllocMem(', 'n')
call s:check('fixture-line', s:line > 0, 'no AllocMem call in makelist.c')
call ale#lsp_linter#SendRequest(bufnr(''), 'aros-lsp', ale#lsp#message#Hover(bufnr(''), s:line, 13), function('s:on_reply', ['hover']))
call s:wait('has_key(s:replies, "hover")', 20)
let s:hover = json_encode(get(get(s:replies, 'hover', {}), 'result', v:null))
call s:check('hover', s:hover =~# 'AllocMem' && s:hover =~# 'LVO', s:hover)

call ale#lsp_linter#SendRequest(bufnr(''), 'aros-lsp', ale#lsp#message#Definition(bufnr(''), s:line, 13), function('s:on_reply', ['definition']))
call s:wait('has_key(s:replies, "definition")', 20)
let s:def = get(get(s:replies, 'definition', {}), 'result', v:null)
let s:loc = type(s:def) == v:t_list && len(s:def) > 0 ? s:def[0] : s:def
let s:uri = type(s:loc) == v:t_dict ? get(s:loc, 'uri', get(s:loc, 'targetUri', '')) : ''
call s:check('definition', s:uri =~# 'rom/exec/allocmem\.c$' && s:loc.range.start.line == 22, string(s:def))

" The configuration's own command, through ALE's custom-request API.
let g:aros_lsp_iteration_params = {'maxIterations': 1, 'maxRetries': 0}
ArosRunIteration demo
call s:wait('type(get(g:, "aros_lsp_last_result", v:null)) == v:t_dict', 90)
let s:it = get(get(g:, 'aros_lsp_last_result', {}), 'result', {})
call s:check('run-iteration', type(s:it) == v:t_dict && get(s:it, 'sessionId', '') =~# '^\d\{4}-' && len(get(s:it, 'results', [])) == 1 && s:it.results[0].task.symbol ==# 'demo_add', string(get(g:, 'aros_lsp_last_result', 'no reply')))

call s:out(s:failed ? 'SOME FAILED' : 'ALL OK')
execute s:failed ? 'cquit 1' : 'qall!'
