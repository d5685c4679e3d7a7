-- Only Neovim 0.7 runs in CI, so the 0.8+ paths of clients/neovim are checked
-- here by giving this Neovim the API those versions have (vim.lsp.config and
-- vim.lsp.enable; vim.lsp.start) as recorders, and asserting what the module
-- hands them. That proves the branch selection and the configuration, not
-- that 0.11 itself starts the server (run.lua does that for real on 0.7).

local function say(s)
  io.stdout:write(s .. '\n')
  io.stdout:flush()
end

local failed = false
local function check(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    say(name .. ' OK')
  else
    failed = true
    io.stderr:write(('FAIL %s: %s\n'):format(name, tostring(err)))
  end
end

local function expect(cond, message)
  if not cond then
    error(message, 2)
  end
end

--- A fresh copy of the module, as if Neovim had just started.
local function fresh()
  for name in pairs(package.loaded) do
    if name == 'aros_lsp' or name:match('^aros_lsp%.') then
      package.loaded[name] = nil
    end
  end
  return require('aros_lsp')
end

local function main()
  local cfg = vim.fn.json_decode(table.concat(vim.fn.readfile(os.getenv('AROS_LSP_TEST_CONFIG')), '\n'))
  local root = cfg.root
  -- As in an AROS checkout: mmake.config.in at the top (editorWorkspace.ts writes it), mmakefile.src below.
  vim.fn.writefile({}, root .. '/rom/exec/mmakefile.src')
  local file = root .. '/rom/exec/forbid.c'
  local saved = { config = vim.lsp.config, enable = vim.lsp.enable, start = vim.lsp.start }
  local globals = vim.tbl_count(vim.lsp.handlers)

  check('CONFIG_BRANCH', function()
    local seen = {}
    vim.lsp.config = setmetatable({}, {
      __call = function(_, name, config)
        seen.name, seen.config = name, config
      end,
    })
    vim.lsp.enable = function(name)
      seen.enabled = name
    end
    local aros = fresh()
    aros.setup({ cmd = { 'aros-lsp', 'serve', '--stdio' }, init_options = { cacheDir = '/tmp/x' } })
    expect(aros.mode == 'config', 'mode ' .. tostring(aros.mode))
    expect(seen.name == 'aros_lsp' and seen.enabled == 'aros_lsp', 'config/enable got ' .. vim.inspect({ seen.name, seen.enabled }))
    local c = seen.config
    expect(vim.deep_equal(c.cmd, { 'aros-lsp', 'serve', '--stdio' }), 'cmd ' .. vim.inspect(c.cmd))
    expect(vim.deep_equal(c.filetypes, { 'c' }), 'filetypes ' .. vim.inspect(c.filetypes))
    expect(c.init_options.cacheDir == '/tmp/x', 'init_options ' .. vim.inspect(c.init_options))
    for _, m in ipairs({ 'aros/status', 'aros/iterationEvent', '$/progress' }) do
      expect(type(c.handlers[m]) == 'function', 'no client handler for ' .. m)
    end
    expect(vim.tbl_count(vim.lsp.handlers) == globals, 'vim.lsp.handlers changed')
    -- 0.11 starts clients itself: no FileType autocmd of ours may start a second one.
    local has_group, autocmds = pcall(vim.api.nvim_get_autocmds, { group = 'aros_lsp' })
    expect(not has_group or #autocmds == 0, 'a FileType autocmd was made in config mode')
    -- root_dir(bufnr, on_dir): the directory of mmake.config.in, not the nearer mmakefile.src.
    vim.cmd('edit ' .. vim.fn.fnameescape(file))
    local got = 'not called'
    c.root_dir(vim.api.nvim_get_current_buf(), function(dir)
      got = dir
    end)
    expect(got == root, ('root_dir gave %s, expected %s'):format(tostring(got), root))
    -- The status handler fills the store :ArosStatus reads.
    c.handlers['aros/status'](nil, { component = 'index', state = 'ready', message = 'Indexed 31 files' }, { client_id = 7 })
    expect(aros.status_of(7).index.state == 'ready', 'status store ' .. vim.inspect(aros.status_of(7)))
    vim.cmd('bwipeout!')
  end)

  check('START_BRANCH', function()
    vim.lsp.config, vim.lsp.enable = nil, nil
    local calls = {}
    vim.lsp.start = function(config, opts)
      table.insert(calls, { config = config, opts = opts })
      return 1
    end
    local aros = fresh()
    aros.setup({ cmd = { 'aros-lsp' } })
    expect(aros.mode == 'start', 'mode ' .. tostring(aros.mode))
    vim.cmd('edit ' .. vim.fn.fnameescape(file)) -- FileType c
    local buf = vim.api.nvim_get_current_buf()
    expect(#calls == 1, #calls .. ' vim.lsp.start calls, expected 1')
    local c, o = calls[1].config, calls[1].opts
    expect(c.name == 'aros_lsp' and vim.deep_equal(c.cmd, { 'aros-lsp' }), 'config ' .. vim.inspect({ c.name, c.cmd }))
    expect(c.root_dir == root, ('root_dir %s, expected %s'):format(tostring(c.root_dir), root))
    expect(o and o.bufnr == buf, 'opts ' .. vim.inspect(o))
    expect(type(c.handlers['aros/iterationEvent']) == 'function', 'no client handler for aros/iterationEvent')
    -- A buffer that is no file of a tree starts nothing.
    vim.cmd('enew')
    vim.bo.filetype = 'c'
    expect(#calls == 1, 'an unnamed C buffer started a client')
  end)

  vim.lsp.config, vim.lsp.enable, vim.lsp.start = saved.config, saved.enable, saved.start
  if failed then
    return vim.cmd('cquit 1')
  end
  say('ALL OK')
  vim.cmd('qall!')
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  io.stderr:write('FAIL script error: ' .. tostring(err) .. '\n')
  vim.cmd('cquit 1')
end
