-- aros/runIteration from Neovim: the request, its $/progress (by the
-- workDoneToken we give it) and aros/iterationEvent shown live in the scratch
-- buffer aros-lsp://iteration, and cancellation.

local util = require('aros_lsp.util')

local M = {}

M.BUFNAME = 'aros-lsp://iteration'
M.PHASES = { 'explore', 'reason', 'generate', 'review', 'compile', 'learn' }

--- The run under way per client id. Events carry no run id: one run per client at a time.
local runs = {}
--- The latest run, finished or not (for :ArosCancel, scripts and tests).
M.last = nil
local seq = 0
local buf

function M.buffer()
  if buf and vim.api.nvim_buf_is_valid(buf) then
    return buf
  end
  buf = nil
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(b) == M.BUFNAME then
      buf = b
    end
  end
  if not buf then
    buf = vim.api.nvim_create_buf(false, true) -- unlisted scratch: buftype=nofile, no swap file
    vim.api.nvim_buf_set_name(buf, M.BUFNAME)
  end
  vim.bo[buf].bufhidden = 'hide'
  vim.bo[buf].modifiable = false
  return buf
end

-- The buffer is read-only for the user; only we write it.
local function write(start, stop, lines)
  local b = M.buffer()
  local before = vim.api.nvim_buf_line_count(b)
  vim.bo[b].modifiable = true
  vim.api.nvim_buf_set_lines(b, start, stop, false, lines)
  vim.bo[b].modifiable = false
  -- Windows showing it follow the newest line, except the one the user reads it in,
  -- unless they were at the end already.
  local count = vim.api.nvim_buf_line_count(b)
  local current = vim.api.nvim_get_current_win()
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_buf(win) == b and (win ~= current or vim.api.nvim_win_get_cursor(win)[1] >= before) then
      vim.api.nvim_win_set_cursor(win, { count, 0 })
    end
  end
end

local function append(run, lines)
  run.token_open = false
  write(-1, -1, lines)
end

local function header(run, text)
  run.header = text
  write(0, 1, { ('AROS iteration (%s) · %s'):format(run.title, text) })
end

--- Shows the buffer in a window at the bottom unless one already shows it; the cursor stays put.
function M.show()
  local b = M.buffer()
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_buf(win) == b then
      return win
    end
  end
  local current = vim.api.nvim_get_current_win()
  vim.cmd('botright 12split')
  local win = vim.api.nvim_get_current_win()
  vim.api.nvim_win_set_buf(win, b)
  vim.api.nvim_set_current_win(current)
  return win
end

local function begin(client_id, title, open)
  seq = seq + 1
  local run = { client_id = client_id, title = title, progress = {}, events = 0 }
  runs[client_id] = run
  M.last = run
  M.buffer()
  write(0, -1, { '' })
  header(run, 'starting')
  if open ~= false then
    M.show()
  end
  return run
end

local function where(e)
  return ('[%d.%d] %s'):format(e.iteration or 0, e.attempt or 0, e.phase or '?')
end

--- aros/iterationEvent (handler of our client).
function M.on_event(client_id, e)
  if type(e) ~= 'table' then
    return
  end
  local run = runs[client_id]
  if not run then
    -- A run we did not start: the code actions' "Run the loop" / "Implement". Show it as well.
    run = begin(client_id, 'code action', true)
    run.external = true
  end
  run.events = run.events + 1
  if e.type == 'task' then
    local t = e.task or {}
    append(run, { ('── Task %d/%d: %s (%s%s)'):format(e.iteration, e.total, t.description or '', t.file or '?', t.symbol and (' · ' .. t.symbol) or '') })
  elseif e.type == 'phase-start' then
    append(run, { where(e) .. ' …' })
  elseif e.type == 'phase-end' then
    append(run, { ('%s %s (%d ms): %s'):format(where(e), e.ok and 'ok' or 'FAILED', e.ms or 0, (e.summary or ''):gsub('\n', ' ')) })
  elseif e.type == 'token' then
    -- Model output streams into indented lines under its phase.
    local text = e.text or ''
    local pieces = vim.split(text, '\n', { plain = true })
    local b = M.buffer()
    if run.token_open then
      local last = vim.api.nvim_buf_get_lines(b, -2, -1, false)[1] or ''
      write(-2, -1, { last .. pieces[1] })
    else
      write(-1, -1, { '    ' .. pieces[1] })
    end
    for i = 2, #pieces do
      write(-1, -1, { '    ' .. pieces[i] })
    end
    run.token_open = true
  elseif e.type == 'compiler-output' then
    local lines = {}
    for _, l in ipairs(vim.split(e.text or '', '\n', { plain = true })) do
      if l ~= '' then
        table.insert(lines, '    | ' .. l)
      end
    end
    append(run, lines)
  elseif e.type == 'task-end' then
    local r = e.result or {}
    append(run, { ('── Task %d %s: %s'):format(e.iteration or 0, r.status or '?', (r.reason or ''):gsub('\n', ' ')) })
    if run.external then
      -- Its request belongs to the code action; with one task the run is over here.
      runs[client_id] = nil
      run.done = true
    end
  end
end

--- $/progress (handler of our client): only our run's token.
function M.on_progress(client_id, params)
  local run = runs[client_id]
  if not run or type(params) ~= 'table' or params.token ~= run.token or type(params.value) ~= 'table' then
    return
  end
  local v = params.value
  if v.kind == 'end' then
    -- A cancelled request may get no answer at all (Neovim drops RequestCancelled): the end of its progress is the last word.
    if run.cancelling then
      vim.defer_fn(function()
        M.finish(run, { message = 'cancelled' })
      end, 500)
    end
    return
  end
  local message = v.message or v.title or ''
  table.insert(run.progress, message)
  header(run, message .. (v.percentage and (' (%d%%)'):format(v.percentage) or ''))
  util.echo(message)
end

local function summary_lines(result)
  local lines = {}
  local s = result.summary or {}
  table.insert(lines, ('Done: %d task(s), %d succeeded, %d failed, %d cancelled · session %s'):format(
    s.total or 0, s.successful or 0, s.failed or 0, s.cancelled or 0, tostring(result.sessionId)))
  for _, edit in ipairs(result.edits or {}) do
    table.insert(lines, ('Proposed edit: %s, lines %d-%d:'):format(edit.file, edit.startLine + 1, edit.endLine))
    for _, l in ipairs(vim.split(edit.newText or '', '\n', { plain = true })) do
      table.insert(lines, '    ' .. l)
    end
  end
  if result.applyMessage then
    table.insert(lines, result.applyMessage)
  end
  return lines
end

--- Ends a run once (the answer, a cancellation without one, or the server gone).
function M.finish(run, err, result)
  if run.done then
    return
  end
  run.done = true
  run.err = err
  run.result = result
  if runs[run.client_id] == run then
    runs[run.client_id] = nil
  end
  if err then
    local message = type(err) == 'table' and (err.message or vim.inspect(err)) or tostring(err)
    run.cancelled = run.cancelling or nil
    append(run, { (run.cancelling and 'Cancelled: ' or 'Failed: ') .. message })
    header(run, run.cancelling and 'cancelled' or 'failed')
    util.echo(message, 'WarningMsg')
  else
    run.cancelled = (result.summary and result.summary.cancelled or 0) > 0 or nil
    append(run, summary_lines(result))
    header(run, run.cancelled and 'cancelled' or 'done')
    util.echo(('iteration %s, session %s'):format(run.cancelled and 'cancelled' or 'done', tostring(result.sessionId)))
  end
  if run.on_done then
    run.on_done(err, result, run)
  end
end

--- Starts aros/runIteration on client. params: project or task, maxIterations, maxRetries, apply.
--- opts: bufnr, open (show the buffer, default true), on_done(err, result, run). Returns the run, or nil and why.
function M.start(client, params, opts)
  opts = opts or {}
  local current = runs[client.id]
  if current and not current.external then
    return nil, 'a run is under way: :ArosCancel first'
  end
  local title = params.project and ('project ' .. params.project) or ('%s in %s'):format(params.task.symbol, params.task.file)
  local run = begin(client.id, title, opts.open)
  run.token = ('aros.nvim.iteration.%d.%d'):format(vim.fn.getpid(), seq)
  run.params = vim.tbl_extend('force', params, { workDoneToken = run.token })
  run.on_done = opts.on_done
  local ok, id = util.request(client, 'aros/runIteration', run.params, function(err, result)
    M.finish(run, err, result)
  end, opts.bufnr)
  if not ok then
    M.finish(run, { message = 'the server has shut down' })
    return nil, 'the server has shut down'
  end
  run.request_id = id
  return run
end

--- Cancels the run of client_id (or the latest run). Returns whether there was one.
function M.cancel(client_id)
  local run = client_id and runs[client_id] or M.last
  if not run or run.done or not run.request_id then
    return false
  end
  local client = vim.lsp.get_client_by_id(run.client_id)
  run.cancelling = true
  append(run, { 'Cancelling …' })
  if client then
    util.call(client, 'cancel_request', run.request_id)
  end
  -- Bounded: if neither an answer nor the end of progress comes, the run still ends here.
  vim.defer_fn(function()
    M.finish(run, { message = 'cancelled (the server did not answer)' })
  end, 10000)
  return true
end

--- The client exited: its run cannot answer any more.
function M.on_exit(client_id)
  local run = runs[client_id]
  if run then
    M.finish(run, { message = 'the server exited' })
  end
end

local FUNCTION = 12 -- SymbolKind.Function

--- The task at a line: {file = workspace-relative path, symbol = innermost function around line (0-based)}.
--- Asks the server for the document's symbols; cb(task) or cb(nil, why).
function M.task_at(client, bufnr, line, cb)
  local file = util.relative(vim.api.nvim_buf_get_name(bufnr), util.root_of(client))
  if not file then
    return cb(nil, 'this file is not inside the workspace ' .. tostring(util.root_of(client)))
  end
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
  util.request(client, 'textDocument/documentSymbol', params, function(err, symbols)
    if err then
      return cb(nil, err.message)
    end
    local best
    local function visit(list)
      for _, s in ipairs(list or {}) do
        local range = s.range or (s.location and s.location.range)
        if range and range.start.line <= line and line <= range['end'].line then
          if s.kind == FUNCTION then
            best = s.name
          end
          visit(s.children)
        end
      end
    end
    visit(symbols)
    if not best then
      return cb(nil, 'the cursor is not inside a function')
    end
    cb({ file = file, symbol = best })
  end, bufnr)
end

return M
