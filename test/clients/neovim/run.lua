-- Headless Neovim against the real server, through the real module
-- (clients/neovim): run by test/clients/neovim.test.ts as
--   nvim --headless --clean --cmd 'set rtp^=clients/neovim' -c 'luafile test/clients/neovim/run.lua'
-- with AROS_LSP_TEST_CONFIG naming the workspace's JSON (editorWorkspace.ts).
-- Each check prints "<NAME> OK" or "FAIL <NAME>: why"; any failure exits 1
-- (cquit), all passing prints "ALL OK" and exits 0. Every wait is bounded.

local function say(s)
  io.stdout:write(s .. '\n')
  io.stdout:flush()
end

local failures = {}

local function exit(code)
  -- Stop the servers first: a clean shutdown, not an orphan that outlives the editor.
  local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)()
  for _, c in ipairs(clients) do
    vim.lsp.stop_client(c.id)
  end
  vim.wait(10000, function()
    for _, c in ipairs(clients) do
      if not vim.lsp.client_is_stopped(c.id) then
        return false
      end
    end
    return true
  end, 50)
  if code == 0 then
    vim.cmd('qall!')
  else
    vim.cmd('cquit ' .. code)
  end
end

local function abort(message)
  io.stderr:write('FAIL ' .. message .. '\n')
  exit(1)
end

--- Fails the current check with a message (caught by check()).
local function expect(cond, message)
  if not cond then
    error({ expectation = message }, 2)
  end
end

local function check(name, fn)
  local started = vim.loop.hrtime()
  local ok, err = xpcall(fn, function(e)
    return type(e) == 'table' and e.expectation or debug.traceback(tostring(e), 2)
  end)
  if ok then
    say(('%s OK (%d ms)'):format(name, (vim.loop.hrtime() - started) / 1e6))
  else
    table.insert(failures, name)
    io.stderr:write(('FAIL %s: %s\n'):format(name, tostring(err)))
  end
end

local function wait(ms, fn, what)
  if not vim.wait(ms, fn, 50) then
    error({ expectation = ('timed out after %d ms waiting for %s'):format(ms, what) }, 2)
  end
end

local function main()
  local config_file = os.getenv('AROS_LSP_TEST_CONFIG')
  if not config_file then
    return abort('AROS_LSP_TEST_CONFIG is not set')
  end
  local cfg = vim.fn.json_decode(table.concat(vim.fn.readfile(config_file), '\n'))
  local root = cfg.root
  local real = function(p)
    return vim.loop.fs_realpath(p) or p
  end

  -- Root markers as in an AROS checkout: mmake.config.in at the top (editorWorkspace.ts writes it),
  -- an mmakefile.src in the directories below it, which must not win.
  vim.fn.writefile({}, root .. '/workbench/libs/mylib/mmakefile.src')
  vim.fn.writefile({}, root .. '/rom/exec/mmakefile.src')

  local aros = require('aros_lsp')
  local util = require('aros_lsp.util')
  local global_handlers = vim.tbl_keys(vim.lsp.handlers)
  aros.setup({
    cmd = cfg.cmd,
    init_options = cfg.initializationOptions,
    iteration = { maxIterations = 1, maxRetries = 0 },
  })

  local makelist = root .. '/workbench/libs/mylib/makelist.c'
  vim.cmd('edit ' .. vim.fn.fnameescape(makelist))
  local buf = vim.api.nvim_get_current_buf()
  local client
  local ok = vim.wait(20000, function()
    client = util.clients(buf)[1]
    return client ~= nil and client.initialized == true
  end, 50)
  if not ok then
    return abort('START: no initialized aros_lsp client attached to makelist.c within 20 s (mode ' .. tostring(aros.mode) .. ')')
  end
  ok = vim.wait(60000, function()
    local s = aros.status_of(client.id).index
    return s ~= nil and s.state == 'ready'
  end, 50)
  if not ok then
    return abort('INDEX: no aros/status index ready within 60 s; status: ' .. vim.inspect(aros.status_of(client.id)))
  end

  check('START', function()
    expect(aros.mode == 'legacy' or vim.fn.has('nvim-0.8') == 1, 'Neovim 0.7 must use the legacy path, got ' .. tostring(aros.mode))
    expect(real(util.root_of(client)) == real(root), ('root_dir %s, expected the directory of mmake.config.in: %s'):format(util.root_of(client), root))
    -- Our notifications go to the client's handlers; the global table is left alone.
    expect(type(client.handlers['aros/status']) == 'function', 'aros/status is not a handler of the client')
    expect(vim.lsp.handlers['aros/status'] == nil and vim.lsp.handlers['aros/iterationEvent'] == nil, 'a handler was put in vim.lsp.handlers')
    expect(#vim.tbl_keys(vim.lsp.handlers) == #global_handlers, 'vim.lsp.handlers changed size')
  end)

  local encoding = client.offset_encoding
  local function sync(method, params, timeout)
    local r, err = util.call(client, 'request_sync', method, params, timeout or 10000, buf)
    expect(r ~= nil, ('%s: no answer (%s)'):format(method, tostring(err)))
    expect(r.err == nil, ('%s: error %s'):format(method, vim.inspect(r.err)))
    return r.result
  end
  local function line_of(b, text)
    for i, l in ipairs(vim.api.nvim_buf_get_lines(b, 0, -1, false)) do
      if l == text then
        return i -- 1-based, as nvim_win_set_cursor wants
      end
    end
    error({ expectation = 'no line ' .. vim.inspect(text) })
  end

  check('STATUS', function()
    local lines = table.concat(aros.status_lines(), '\n')
    expect(lines:find('index: ready', 1, true), ':ArosStatus lines lack "index: ready": ' .. lines)
  end)

  -- makelist.c line 65 (README): `list = AllocMem(...)`; the cursor on the name.
  check('HOVER', function()
    vim.api.nvim_win_set_cursor(0, { 65, 13 })
    local h = sync('textDocument/hover', vim.lsp.util.make_position_params(0, encoding))
    local md = type(h) == 'table' and type(h.contents) == 'table' and h.contents.value or ''
    expect(md:find('APTR AllocMem(', 1, true), 'hover lacks the signature: ' .. md)
    expect(md:find('**Exec** library function', 1, true), 'hover lacks the library: ' .. md)
    expect(md:find('LVO 33', 1, true), 'hover lacks the LVO: ' .. md)
  end)

  check('DEFINITION', function()
    vim.api.nvim_set_current_buf(buf)
    vim.api.nvim_win_set_cursor(0, { 65, 13 })
    local found = sync('textDocument/definition', vim.lsp.util.make_position_params(0, encoding))
    if found and found.uri then
      found = { found }
    end
    expect(type(found) == 'table' and found[1], 'no definition: ' .. vim.inspect(found))
    -- Jump as the editor does; AllocMem's AROS_LH2 is on line 23, the name at column 23.
    vim.lsp.util.jump_to_location(found[1], encoding)
    local name = vim.api.nvim_buf_get_name(0)
    local cursor = vim.api.nvim_win_get_cursor(0)
    expect(real(name) == real(root .. '/rom/exec/allocmem.c'), 'landed in ' .. name)
    expect(cursor[1] == 23 and cursor[2] == 23, 'landed at ' .. vim.inspect(cursor))
    -- The new buffer is under the same root: the same client, no second server.
    local here = vim.api.nvim_get_current_buf()
    wait(5000, function()
      return vim.lsp.buf_is_attached(here, client.id)
    end, 'allocmem.c to attach to the same client')
    expect(#util.clients() == 1, #util.clients() .. ' aros_lsp clients, expected 1')
    vim.api.nvim_set_current_buf(buf)
  end)

  check('WORKSPACE_SYMBOL', function()
    local found = sync('workspace/symbol', { query = 'AllocPooled' })
    local hit
    for _, s in ipairs(found or {}) do
      if s.name == 'AllocPooled' and s.location.uri:match('/rom/exec/allocpooled%.c$') then
        hit = s
      end
    end
    expect(hit, 'AllocPooled in rom/exec/allocpooled.c not among ' .. #(found or {}) .. ' symbols')
    expect(hit.location.range.start.line == 14, 'AllocPooled at line ' .. hit.location.range.start.line .. ', expected 14')
  end)

  -- Typed text goes through Neovim's own didChange; the request must see it.
  check('COMPLETION', function()
    vim.api.nvim_set_current_buf(buf)
    local at = line_of(buf, '    return list;')
    vim.api.nvim_buf_set_lines(buf, at - 1, at - 1, false, { '    AllocP' })
    vim.api.nvim_win_set_cursor(0, { at, 10 })
    local params = vim.lsp.util.make_position_params(0, encoding)
    params.context = { triggerKind = 1 }
    local ok_, result = pcall(sync, 'textDocument/completion', params, 30000)
    vim.api.nvim_buf_set_lines(buf, at - 1, at, false, {})
    if not ok_ then
      error(result, 0)
    end
    local items = result and (result.items or result) or {}
    local labels = {}
    for _, i in ipairs(items) do
      table.insert(labels, i.label)
    end
    expect(#items > 0, 'no completion items')
    expect(vim.tbl_contains(labels, 'AllocPooled'), 'AllocPooled not among ' .. table.concat(labels, ', '))
  end)

  check('CODE_ACTION', function()
    vim.api.nvim_set_current_buf(buf)
    vim.api.nvim_win_set_cursor(0, { line_of(buf, 'static void DropCounters(struct MyLibBase *base, struct MinList *list)'), 14 })
    local params = vim.lsp.util.make_range_params(0, encoding)
    params.context = { diagnostics = {} }
    local titles = {}
    for _, a in ipairs(sync('textDocument/codeAction', params) or {}) do
      table.insert(titles, a.title)
    end
    expect(vim.tbl_contains(titles, 'Add an AI breadcrumb'), 'titles: ' .. vim.inspect(titles))
  end)

  -- A breadcrumb finding reaches vim.diagnostic, and its quick fix is offered for it.
  check('QUICK_FIX', function()
    vim.cmd('edit ' .. vim.fn.fnameescape(root .. '/workbench/hidds/radeonsi/bad_breadcrumbs.c'))
    local bad = vim.api.nvim_get_current_buf()
    local finding
    wait(15000, function()
      -- Case 1 of the fixture: the breadcrumb on line 15 lacks AI_STATUS. Back in LSP form, as
      -- vim.lsp.buf.code_action sends it (0.7 keeps only code and data in user_data.lsp).
      local line = vim.lsp.diagnostic.get_line_diagnostics and vim.lsp.diagnostic.get_line_diagnostics(bad, 14, nil, client.id)
      if not line then
        line = {}
        for _, d in ipairs(vim.diagnostic.get(bad, { lnum = 14 })) do
          table.insert(line, d.user_data and d.user_data.lsp)
        end
      end
      for _, d in ipairs(line) do
        if d.code == 'missing-tag' and d.source == 'aros-lsp' then
          finding = d
        end
      end
      return finding ~= nil
    end, 'the missing-tag diagnostic on bad_breadcrumbs.c line 15')
    local params = { textDocument = { uri = vim.uri_from_bufnr(bad) }, range = finding.range, context = { diagnostics = { finding } } }
    local titles = {}
    for _, a in ipairs(sync('textDocument/codeAction', params) or {}) do
      if a.kind == 'quickfix' then
        table.insert(titles, a.title)
      end
    end
    local any = false
    for _, t in ipairs(titles) do
      any = any or t:find('AI_STATUS', 1, true) ~= nil
    end
    expect(any, 'no quick fix naming AI_STATUS: ' .. vim.inspect(titles))
    vim.api.nvim_set_current_buf(buf)
  end)

  -- Ghost text: :ArosSuggest's request, the virtual text, then accepting it into the buffer.
  check('INLINE', function()
    vim.api.nvim_set_current_buf(buf)
    local at = line_of(buf, '    return list;')
    vim.api.nvim_buf_set_lines(buf, at - 1, at - 1, false, { '    mc = ' })
    vim.o.virtualedit = 'onemore' -- the cursor after the last character, as in insert mode
    vim.api.nvim_win_set_cursor(0, { at, 9 })
    aros.inline.last = nil
    vim.cmd('ArosSuggest')
    wait(30000, function()
      return aros.inline.last ~= nil
    end, 'the inline completion answer')
    local last = aros.inline.last
    expect(last.status == 'shown', 'suggestion ' .. vim.inspect(last))
    local marks = vim.api.nvim_buf_get_extmarks(buf, vim.api.nvim_create_namespace('aros_lsp_suggest'), 0, -1, { details = true })
    expect(#marks == 1 and marks[1][2] == at - 1, 'ghost text extmarks: ' .. vim.inspect(marks))
    local shown = marks[1][4].virt_text[1][1]
    expect(shown == vim.split(last.text, '\n', { plain = true })[1], ('ghost text %q, suggestion %q'):format(shown, last.text))
    expect(aros.accept() == true, 'accept found no suggestion')
    local now = vim.api.nvim_buf_get_lines(buf, at - 1, at, false)[1]
    expect(now == '    mc = ' .. last.text, ('after accept the line is %q'):format(now))
    expect(#vim.api.nvim_buf_get_extmarks(buf, vim.api.nvim_create_namespace('aros_lsp_suggest'), 0, -1, {}) == 0, 'ghost text left behind')
    vim.api.nvim_buf_set_lines(buf, at - 1, at, false, {})
    vim.o.virtualedit = ''
  end)

  -- :ArosRunIteration demo: the loop with the tiny model, its events and progress live in aros-lsp://iteration.
  check('ITERATION', function()
    vim.api.nvim_set_current_buf(buf)
    vim.cmd('ArosRunIteration demo')
    local run = aros.iteration.last
    expect(run and run.params and run.params.project == 'demo', 'no run started: ' .. vim.inspect(run and run.params))
    wait(90000, function()
      return run.done == true
    end, 'the iteration to finish')
    expect(run.err == nil, 'error: ' .. vim.inspect(run.err))
    expect(type(run.result.sessionId) == 'string' and run.result.sessionId:match('^%d%d%d%d%-'), 'sessionId ' .. vim.inspect(run.result.sessionId))
    expect(run.params.maxIterations == 1 and run.params.maxRetries == 0, 'params ' .. vim.inspect(run.params))
    local ib = vim.fn.bufnr(aros.iteration.BUFNAME)
    expect(ib ~= -1, 'no buffer ' .. aros.iteration.BUFNAME)
    expect(vim.fn.bufwinid(ib) ~= -1, 'the iteration buffer is not shown in a window')
    local lines = vim.api.nvim_buf_get_lines(ib, 0, -1, false)
    local text = table.concat(lines, '\n')
    for _, phase in ipairs(aros.iteration.PHASES) do
      expect(text:find('[1.1] ' .. phase .. ' …', 1, true), 'no start line for ' .. phase .. ':\n' .. text)
      expect(text:match('%[1%.1%] ' .. phase .. ' [%a]+ %(%d+ ms%)'), 'no end line for ' .. phase .. ':\n' .. text)
    end
    expect(text:find('── Task 1/1: ', 1, true), 'no task line:\n' .. text)
    expect(text:find('Done: 1 task(s)', 1, true), 'no summary line:\n' .. text)
    expect(lines[1]:find('^AROS iteration %(project demo%) · '), 'header ' .. lines[1])
    local progressed = false
    for _, m in ipairs(run.progress) do
      progressed = progressed or m:find('^Iteration 1/1 · compile') ~= nil
    end
    expect(progressed, '$/progress for our token: ' .. vim.inspect(run.progress))
  end)

  -- The code action "Run the loop on demo_add" runs through workspace/executeCommand; its events show too.
  check('CODE_ACTION_RUN', function()
    vim.cmd('edit ' .. vim.fn.fnameescape(root .. '/workbench/hidds/demo/demo.c'))
    local demo = vim.api.nvim_get_current_buf()
    wait(5000, function()
      return vim.lsp.buf_is_attached(demo, client.id)
    end, 'demo.c to attach')
    vim.api.nvim_win_set_cursor(0, { line_of(demo, 'int demo_add(struct DemoState *state, int a, int b)'), 4 })
    local params = vim.lsp.util.make_range_params(0, encoding)
    params.context = { diagnostics = {} }
    local action
    for _, a in ipairs(sync('textDocument/codeAction', params) or {}) do
      if a.title:find('^Run the loop on demo_add') then
        action = a
      end
    end
    expect(action and action.command, 'no "Run the loop on demo_add" action')
    local before = aros.iteration.last
    local answer
    util.request(client, 'workspace/executeCommand', { command = action.command.command, arguments = action.command.arguments }, function(err, result)
      answer = { err = err, result = result }
    end, demo)
    wait(90000, function()
      return answer ~= nil
    end, 'the command to finish')
    expect(answer.err == nil, 'error: ' .. vim.inspect(answer.err))
    local run = aros.iteration.last
    expect(run ~= before and run.external and run.done, 'the command\'s run was not shown: ' .. vim.inspect(run and { run.title, run.done }))
    local text = table.concat(vim.api.nvim_buf_get_lines(vim.fn.bufnr(aros.iteration.BUFNAME), 0, -1, false), '\n')
    expect(text:find('^AROS iteration %(code action%)'), 'header: ' .. text)
    expect(text:find('[1.1] learn …', 1, true) and text:find('── Task 1 ', 1, true), 'no phase or task-end lines:\n' .. text)
  end)

  -- :ArosRunIteration without a project: the function under the cursor; :ArosCancel stops it.
  check('CANCEL', function()
    vim.cmd('edit ' .. vim.fn.fnameescape(root .. '/workbench/hidds/demo/demo.c'))
    local demo = vim.api.nvim_get_current_buf()
    wait(5000, function()
      return vim.lsp.buf_is_attached(demo, client.id)
    end, 'demo.c to attach')
    vim.api.nvim_win_set_cursor(0, { line_of(demo, '    (void)value;'), 4 })
    local before = aros.iteration.last
    vim.cmd('ArosRunIteration')
    wait(10000, function()
      return aros.iteration.last ~= before and aros.iteration.last.request_id ~= nil
    end, 'the run at the cursor to start')
    local run = aros.iteration.last
    expect(run.params.task and run.params.task.file == 'workbench/hidds/demo/demo.c' and run.params.task.symbol == 'demo_scale', 'task ' .. vim.inspect(run.params.task))
    local started = vim.loop.now()
    vim.cmd('ArosCancel')
    wait(15000, function()
      return run.done == true
    end, 'the cancelled run to end')
    expect(run.cancelled == true, ('the run ended without being cancelled: err %s, summary %s'):format(vim.inspect(run.err), vim.inspect(run.result and run.result.summary)))
    say(('cancelled in %d ms'):format(vim.loop.now() - started))
  end)

  if #failures > 0 then
    io.stderr:write(('FAILED %d check(s): %s\n'):format(#failures, table.concat(failures, ', ')))
    return exit(1)
  end
  say('ALL OK')
  exit(0)
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  abort('script error: ' .. tostring(err))
end
