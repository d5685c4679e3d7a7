" aros-lsp for Vim 8.2+/9 with vim-lsp or ALE: source it from your vimrc
" (`source /path/to/aros-lsp/clients/vim/aros-lsp.vim`) after the plugin
" manager has loaded vim-lsp or ALE. Settings, before sourcing:
"   let g:aros_lsp_command = ['aros-lsp', 'serve', '--stdio']
"   let g:aros_lsp_init_options = {'breadcrumbDiagnostics': v:true}

let g:aros_lsp_command = get(g:, 'aros_lsp_command', ['aros-lsp', 'serve', '--stdio'])
let g:aros_lsp_init_options = get(g:, 'aros_lsp_init_options', {})
" mmake.config.in marks the root of an AROS checkout (mmakefile.src is in every directory); .git the root of a clone.
let g:aros_lsp_root_markers = get(g:, 'aros_lsp_root_markers', ['mmake.config.in', '.git'])

function! s:root(path) abort
  let l:dir = fnamemodify(a:path, ':p:h')
  for l:marker in g:aros_lsp_root_markers
    let l:file = findfile(l:marker, l:dir . ';')
    if l:file !=# ''
      return fnamemodify(l:file, ':p:h')
    endif
    let l:sub = finddir(l:marker, l:dir . ';')
    if l:sub !=# ''
      " ':p' of a directory ends in '/': one ':h' drops it, the next the marker.
      return fnamemodify(l:sub, ':p:h:h')
    endif
  endfor
  return l:dir
endfunction

function! ArosLspRoot(path) abort
  return s:root(a:path)
endfunction

" --- vim-lsp --------------------------------------------------------------
function! s:register_vim_lsp() abort
  call lsp#register_server({
        \ 'name': 'aros-lsp',
        \ 'cmd': {server_info -> g:aros_lsp_command},
        \ 'root_uri': {server_info -> lsp#utils#path_to_uri(s:root(lsp#utils#get_buffer_path()))},
        \ 'initialization_options': g:aros_lsp_init_options,
        \ 'allowlist': ['c'],
        \ })
endfunction

" aros/status and aros/iterationEvent arrive on vim-lsp's stream of server messages.
function! s:subscribe_vim_lsp() abort
  call lsp#callbag#pipe(
        \ lsp#stream(),
        \ lsp#callbag#filter({x -> get(x, 'server', '') ==# 'aros-lsp' && has_key(x, 'response') && has_key(x.response, 'method')}),
        \ lsp#callbag#subscribe({'next': {x -> s:on_notification(x.response)}}),
        \ )
endfunction

augroup aros_lsp
  autocmd!
  autocmd User lsp_setup call s:register_vim_lsp() | call s:subscribe_vim_lsp()
augroup END

" The loop through vim-lsp's request API: :ArosRunIteration PROJECT. Its live
" events (aros/iterationEvent) go to the message history with :ArosStatus.
let s:events = []
let s:status = {}

function! s:on_notification(msg) abort
  let l:msg = a:msg
  let l:method = get(l:msg, 'method', '')
  if l:method ==# 'aros/status'
    let l:p = l:msg.params
    let s:status[l:p.component . get(l:p, 'role', '')] = l:p.component . (has_key(l:p, 'role') ? ' ' . l:p.role : '') . ': ' . l:p.state . ' ' . get(l:p, 'message', '')
  elseif l:method ==# 'aros/iterationEvent'
    let l:e = l:msg.params
    call add(s:events, get(l:e, 'type', '') . ' ' . get(l:e, 'phase', ''))
  endif
endfunction

" Extra params for aros/runIteration, e.g. {'maxIterations': 3, 'maxRetries': 1}.
let g:aros_lsp_iteration_params = get(g:, 'aros_lsp_iteration_params', {})

function! s:run_iteration(project) abort
  let s:events = []
  let g:aros_lsp_last_result = v:null
  let l:params = extend({'project': a:project, 'maxIterations': 10}, g:aros_lsp_iteration_params)
  if exists('g:lsp_loaded')
    call lsp#send_request('aros-lsp', {
          \ 'method': 'aros/runIteration',
          \ 'params': l:params,
          \ 'on_notification': {data -> s:on_result(get(data, 'response', {}))},
          \ })
  elseif exists('g:loaded_ale_dont_use_this_in_other_plugins_please')
    " ALE sends custom requests to a linter's server; its notifications stay inside ALE.
    call ale#lsp_linter#SendRequest(bufnr(''), 'aros-lsp', [0, 'aros/runIteration', l:params], function('s:on_result'))
  else
    echoerr 'aros-lsp: :ArosRunIteration needs vim-lsp or ALE'
    return
  endif
  echo 'aros-lsp: loop started on ' . a:project
endfunction

function! s:on_result(response) abort
  let g:aros_lsp_last_result = a:response
  if has_key(a:response, 'result')
    let l:s = a:response.result.summary
    echomsg printf('aros-lsp: loop %s: %d of %d task(s) done, %d failed, %d cancelled', a:response.result.sessionId, l:s.successful, l:s.total, l:s.failed, l:s.cancelled)
  else
    echomsg 'aros-lsp: loop failed: ' . get(get(a:response, 'error', {}), 'message', string(a:response))
  endif
endfunction

function! s:show_status() abort
  for l:line in values(s:status)
    echomsg 'aros-lsp ' . l:line
  endfor
  if !empty(s:events)
    echomsg 'aros-lsp loop: ' . join(s:events[-6:], ' | ')
  endif
endfunction

command! -nargs=1 ArosRunIteration call s:run_iteration(<q-args>)
command! ArosStatus call s:show_status()

" --- ALE -----------------------------------------------------------------
" ALE gives diagnostics, hover, go to definition, references and completion
" through the same server; the loop runs from code actions (:ALECodeAction).
function! s:register_ale() abort
  call ale#linter#Define('c', {
        \ 'name': 'aros-lsp',
        \ 'lsp': 'stdio',
        \ 'executable': {b -> g:aros_lsp_command[0]},
        \ 'command': {b -> join(map(copy(g:aros_lsp_command), 'ale#Escape(v:val)'), ' ')},
        \ 'project_root': {b -> s:root(expand('#' . b . ':p'))},
        \ 'initialization_options': {b -> g:aros_lsp_init_options},
        \ })
endfunction

if exists('g:loaded_ale_dont_use_this_in_other_plugins_please') || exists('*ale#linter#Define')
  call s:register_ale()
endif
