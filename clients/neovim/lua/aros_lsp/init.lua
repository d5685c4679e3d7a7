-- aros-lsp for Neovim 0.7 to 0.12.
--
--   require('aros_lsp').setup{ cmd = {...}, root_markers = {...}, init_options = {...}, settings = {...} }
--
-- starts the server for C buffers, one client per workspace root, and adds the
-- protocol's extensions: :ArosRunIteration, :ArosCancel, :ArosStatus and
-- :ArosSuggest. Every handler is given to the client's own `handlers`, so
-- other language servers keep Neovim's global ones untouched.

local util = require('aros_lsp.util')
local root = require('aros_lsp.root')
local iteration = require('aros_lsp.iteration')
local inline = require('aros_lsp.inline')

local M = {}

M.name = util.NAME
M.iteration = iteration
M.inline = inline

M.defaults = {
  cmd = { 'aros-lsp' },
  filetypes = { 'c' },
  root_markers = { 'mmake.config.in', '.git' },
  -- function(path) -> directory or nil; overrides root_markers.
  root_dir = nil,
  init_options = nil,
  settings = nil, -- e.g. { ['aros-lsp'] = { breadcrumbDiagnostics = false } }
  capabilities = nil,
  on_attach = nil,
  -- Defaults of :ArosRunIteration; apply = true lets the server apply the edit (workspace/applyEdit).
  iteration = { maxIterations = 10, maxRetries = 2, apply = false, open = true },
  -- Accepts a suggestion of :ArosSuggest (Neovim < 0.12); false: no mapping.
  accept_key = '<M-CR>',
}

M.options = nil
--- Which API setup used: 'config' (0.11+: vim.lsp.config/enable), 'start' (0.8–0.10: vim.lsp.start), 'legacy' (0.7).
M.mode = nil

--- Latest aros/status per client id, then per 'index' or 'model/<role>'.
M.status = {}

local function status_key(p)
  return p.role and (p.component .. '/' .. p.role) or p.component
end

local function on_status(_, p, ctx)
  if type(p) ~= 'table' or type(p.component) ~= 'string' then
    return
  end
  local per = M.status[ctx.client_id] or {}
  M.status[ctx.client_id] = per
  local key = status_key(p)
  local before = per[key]
  per[key] = p
  -- A model that cannot load is said once, not on every request that needed it.
  if p.state == 'error' and not (before and before.state == 'error' and before.message == p.message) then
    vim.notify('aros-lsp: ' .. tostring(p.message), vim.log.levels.WARN)
  end
end

--- The client's handlers (never vim.lsp.handlers: those belong to every server).
function M.handlers()
  return {
    ['aros/status'] = on_status,
    ['aros/iterationEvent'] = function(_, params, ctx)
      iteration.on_event(ctx.client_id, params)
    end,
    ['$/progress'] = function(err, params, ctx, config)
      iteration.on_progress(ctx.client_id, params)
      -- Neovim's own progress handling still runs: statusline plugins read it.
      local default = vim.lsp.handlers['$/progress']
      if default then
        return default(err, params, ctx, config)
      end
    end,
  }
end

--- The root for a buffer: opts.root_dir, else the markers (see root.lua).
function M.root_dir(bufnr)
  local path = vim.api.nvim_buf_get_name(bufnr)
  if M.options and M.options.root_dir then
    return M.options.root_dir(path)
  end
  return root.find(path, (M.options or M.defaults).root_markers)
end

local function on_attach(client, bufnr)
  inline.attach(client, bufnr)
  if M.options.on_attach then
    M.options.on_attach(client, bufnr)
  end
end

local function on_exit(_, _, client_id)
  -- Scheduled: 0.7 calls on_exit from a libuv callback, where the buffer API is off limits.
  vim.schedule(function()
    M.status[client_id] = nil
    iteration.on_exit(client_id)
  end)
end

--- The client configuration for a root (nil: no workspace, open documents only).
function M.client_config(root_dir)
  local o = M.options
  return {
    name = M.name,
    cmd = o.cmd,
    root_dir = root_dir,
    init_options = o.init_options,
    settings = o.settings,
    capabilities = o.capabilities,
    handlers = M.handlers(),
    on_attach = on_attach,
    on_exit = on_exit,
  }
end

-- 0.7 has no vim.lsp.start: clients by root, so every buffer under one root shares a server.
local by_root = {}

--- Starts or reuses the client for bufnr's root and attaches it (0.7–0.10; 0.11+ does this itself).
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local name = vim.api.nvim_buf_get_name(bufnr)
  -- Unnamed buffers and URI-named ones (our own aros-lsp://iteration, fugitive://...) are not files of a tree.
  if name == '' or name:match('^%a[%w+.-]*://') or vim.bo[bufnr].buftype ~= '' then
    return nil
  end
  local dir = M.root_dir(bufnr)
  local config = M.client_config(dir)
  if M.mode == 'start' then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local key = dir or ''
  local id = by_root[key]
  if not id or vim.lsp.client_is_stopped(id) then
    id = vim.lsp.start_client(config)
    by_root[key] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

local function client_or_say(bufnr)
  local client, why = util.client_for(bufnr)
  if not client then
    util.echo(why, 'WarningMsg')
  end
  return client
end

--- Runs the loop. params: project or task {file, symbol} (nil: the function under the cursor),
--- plus maxIterations, maxRetries, apply (defaults from setup). opts: open, on_done(err, result, run).
--- Returns the run (or nil and why); with no task given it starts once the server named the function.
function M.run_iteration(params, opts)
  params = params or {}
  opts = opts or {}
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_or_say(bufnr)
  if not client then
    return nil
  end
  local d = M.options.iteration
  local full = {
    project = params.project,
    task = params.task,
    maxIterations = params.maxIterations or d.maxIterations,
    maxRetries = params.maxRetries or d.maxRetries,
  }
  -- Not `a == nil and b or a`: that turns a false default into nil.
  full.apply = params.apply
  if full.apply == nil then
    full.apply = d.apply
  end
  local run_opts = { bufnr = bufnr, on_done = opts.on_done, open = opts.open }
  if run_opts.open == nil then
    run_opts.open = d.open
  end
  local function go()
    local run, why = iteration.start(client, full, run_opts)
    if not run then
      util.echo(why, 'WarningMsg')
    end
    return run, why
  end
  if full.project or full.task then
    return go()
  end
  -- No project: the task at the cursor, i.e. the function around it in this file.
  local line = vim.api.nvim_win_get_cursor(0)[1] - 1
  iteration.task_at(client, bufnr, line, function(task, why)
    if not task then
      util.echo(why, 'WarningMsg')
      if opts.on_done then
        opts.on_done({ message = why }, nil, nil)
      end
      return
    end
    full.task = task
    go()
  end)
  return nil, 'pending'
end

function M.cancel()
  if not iteration.cancel() then
    util.echo('no run to cancel')
  end
end

--- One line per component (and model role) per client, e.g. "index: ready · Indexed 31 files".
function M.status_lines()
  local lines = {}
  local clients = util.clients()
  for _, client in ipairs(clients) do
    local per = M.status[client.id] or {}
    local keys = vim.tbl_keys(per)
    table.sort(keys)
    local prefix = #clients > 1 and (tostring(util.root_of(client)) .. ' ') or ''
    if #keys == 0 then
      table.insert(lines, prefix .. 'no status yet')
    end
    for _, k in ipairs(keys) do
      local p = per[k]
      table.insert(lines, ('%s%s: %s · %s'):format(prefix, k, tostring(p.state), tostring(p.message or '')))
    end
  end
  if #clients == 0 then
    table.insert(lines, 'not running')
  end
  return lines
end

function M.show_status()
  local chunks = {}
  for i, l in ipairs(M.status_lines()) do
    table.insert(chunks, { (i > 1 and '\n' or '') .. 'aros-lsp ' .. l })
  end
  vim.api.nvim_echo(chunks, true, {})
end

--- The latest aros/status of a client: table keyed by 'index' and 'model/<role>'.
function M.status_of(client_id)
  return M.status[client_id] or {}
end

function M.suggest()
  local client = client_or_say(0)
  if client then
    inline.suggest(client)
  end
end

function M.accept()
  return inline.accept()
end

local function commands()
  local cmd = vim.api.nvim_create_user_command
  cmd('ArosRunIteration', function(a)
    M.run_iteration({ project = a.args ~= '' and a.args or nil })
  end, { nargs = '?', desc = 'aros-lsp: run the loop on a project, or on the function under the cursor' })
  cmd('ArosCancel', M.cancel, { desc = 'aros-lsp: cancel the running iteration' })
  cmd('ArosStatus', M.show_status, { desc = 'aros-lsp: what the index and each model are doing' })
  cmd('ArosSuggest', M.suggest, { desc = 'aros-lsp: ghost text at the cursor (inline completion)' })
end

--- Picks the API the running Neovim offers; see M.mode.
function M.select_mode()
  if vim.lsp.config ~= nil and vim.lsp.enable ~= nil then
    return 'config'
  elseif vim.lsp.start ~= nil then
    return 'start'
  end
  return 'legacy'
end

function M.setup(user)
  -- A shallow merge: list options (cmd, root_markers) replace the defaults rather than merge by index.
  local o = vim.tbl_extend('force', {}, M.defaults)
  for k, v in pairs(user or {}) do
    o[k] = v
  end
  o.iteration = vim.tbl_extend('force', M.defaults.iteration, (user or {}).iteration or {})
  M.options = o
  inline.accept_key = o.accept_key or nil
  M.mode = M.select_mode()
  commands()

  if M.mode == 'config' then
    local config = M.client_config(nil)
    config.filetypes = o.filetypes
    -- 0.11's root_dir(bufnr, on_dir): our own search, the same on every version.
    config.root_dir = function(bufnr, on_dir)
      on_dir(M.root_dir(bufnr))
    end
    vim.lsp.config(M.name, config)
    vim.lsp.enable(M.name)
    return
  end

  local group = vim.api.nvim_create_augroup('aros_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = o.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  -- Buffers already open (setup run late, e.g. lazy-loaded on the filetype) are attached now.
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) and vim.tbl_contains(o.filetypes, vim.bo[b].filetype) then
      M.attach(b)
    end
  end
end

return M
