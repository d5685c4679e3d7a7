-- Inline completion (ghost text). Neovim 0.12 has it built in
-- (vim.lsp.inline_completion), so there we only switch it on. Older versions
-- get :ArosSuggest: one textDocument/inlineCompletion request at the cursor,
-- shown as virtual text until the cursor moves or the text changes, accepted
-- with <M-CR> (or require('aros_lsp').accept()).

local util = require('aros_lsp.util')

local M = {}

local ns = vim.api.nvim_create_namespace('aros_lsp_suggest')
local group = vim.api.nvim_create_augroup('aros_lsp_suggest', { clear = true })
local has_010 = vim.fn.has('nvim-0.10') == 1

--- The suggestion on screen: {bufnr, client_id, text, command, srow, scol, erow, ecol, key}.
local shown
--- How the latest request ended: {status = 'shown'|'empty'|'stale'|'error', text?, message?}.
M.last = nil
M.accept_key = '<M-CR>'

function M.native()
  return vim.lsp.inline_completion ~= nil
end

--- on_attach: on 0.12 the built-in ghost text for this buffer.
function M.attach(_, bufnr)
  local ic = vim.lsp.inline_completion
  if ic and type(ic.enable) == 'function' then
    pcall(ic.enable, true, { bufnr = bufnr })
  end
end

function M.clear()
  if not shown then
    return
  end
  local s = shown
  shown = nil
  vim.api.nvim_clear_autocmds({ group = group })
  if vim.api.nvim_buf_is_valid(s.bufnr) then
    vim.api.nvim_buf_clear_namespace(s.bufnr, ns, 0, -1)
    if s.key then
      pcall(vim.api.nvim_buf_del_keymap, s.bufnr, 'i', s.key)
      pcall(vim.api.nvim_buf_del_keymap, s.bufnr, 'n', s.key)
    end
  end
end

local function show(s)
  local lines = vim.split(s.text, '\n', { plain = true })
  local line = vim.api.nvim_buf_get_lines(s.bufnr, s.srow, s.srow + 1, false)[1] or ''
  -- At the end of the line, overlay puts the text exactly where it would go; inside a line,
  -- 0.10+ can push the rest aside ('inline'), older versions can only show it after the line.
  local pos = s.scol >= #line and 'overlay' or (has_010 and 'inline' or 'eol')
  local virt_lines = {}
  for i = 2, #lines do
    table.insert(virt_lines, { { lines[i], 'Comment' } })
  end
  vim.api.nvim_buf_set_extmark(s.bufnr, ns, s.srow, math.min(s.scol, #line), {
    virt_text = { { lines[1], 'Comment' } },
    virt_text_pos = pos,
    virt_lines = #virt_lines > 0 and virt_lines or nil,
  })
  shown = s
  if M.accept_key then
    s.key = M.accept_key
    for _, mode in ipairs({ 'i', 'n' }) do
      vim.api.nvim_buf_set_keymap(s.bufnr, mode, s.key, '', { noremap = true, callback = M.accept, desc = 'aros-lsp: accept the suggestion' })
    end
  end
  vim.api.nvim_create_autocmd({ 'CursorMoved', 'CursorMovedI', 'TextChanged', 'TextChangedI', 'InsertLeave', 'BufLeave' }, {
    group = group,
    buffer = s.bufnr,
    callback = M.clear,
  })
end

--- Asks for a suggestion at the cursor of the current window. on_done(M.last) when answered.
function M.suggest(client, on_done)
  local win = vim.api.nvim_get_current_win()
  local bufnr = vim.api.nvim_win_get_buf(win)
  if M.native() and type(vim.lsp.inline_completion.get) == 'function' then
    -- 0.12: accepts the suggestion on screen, or asks for one.
    return vim.lsp.inline_completion.get({ bufnr = bufnr })
  end
  M.clear()
  local cursor = vim.api.nvim_win_get_cursor(win)
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  local params = vim.lsp.util.make_position_params(win, client.offset_encoding)
  params.context = { triggerKind = 1 } -- Invoked: the user asked for it
  util.request(client, 'textDocument/inlineCompletion', params, function(err, result)
    local outcome
    local now = vim.api.nvim_win_is_valid(win) and vim.api.nvim_win_get_cursor(win) or {}
    if err then
      outcome = { status = 'error', message = err.message }
    elseif vim.api.nvim_buf_get_changedtick(bufnr) ~= tick or now[1] ~= cursor[1] or now[2] ~= cursor[2] then
      outcome = { status = 'stale' } -- the user moved on while the model ran
    else
      local items = result and (result.items or result) or {}
      local item = items[1]
      local text = item and item.insertText
      if type(text) == 'table' then
        text = text.value
      end
      if type(text) ~= 'string' or text == '' then
        outcome = { status = 'empty' }
      else
        local row = cursor[1] - 1
        local s = { bufnr = bufnr, client_id = client.id, text = text, command = item.command, srow = row, scol = cursor[2], erow = row, ecol = cursor[2] }
        if type(item.range) == 'table' then
          local function col(p)
            local l = vim.api.nvim_buf_get_lines(bufnr, p.line, p.line + 1, false)[1] or ''
            return util.byte_col(l, p.character, client.offset_encoding)
          end
          s.srow, s.scol = item.range.start.line, col(item.range.start)
          s.erow, s.ecol = item.range['end'].line, col(item.range['end'])
        end
        show(s)
        outcome = { status = 'shown', text = text }
      end
    end
    M.last = outcome
    if outcome.status ~= 'shown' then
      util.echo(outcome.status == 'error' and ('no suggestion: ' .. tostring(outcome.message)) or 'no suggestion')
    end
    if on_done then
      on_done(outcome)
    end
  end, bufnr)
end

--- Inserts the suggestion on screen; returns whether there was one.
function M.accept()
  local s = shown
  if not s then
    return false
  end
  M.clear()
  local lines = vim.split(s.text, '\n', { plain = true })
  vim.api.nvim_buf_set_text(s.bufnr, s.srow, s.scol, s.erow, s.ecol, lines)
  local win = vim.fn.bufwinid(s.bufnr)
  if win ~= -1 then
    local last = #lines == 1 and (s.scol + #lines[1]) or #lines[#lines]
    vim.api.nvim_win_set_cursor(win, { s.srow + #lines, last })
  end
  -- The item's command tells the server it was accepted (statistics, when enabled).
  local client = vim.lsp.get_client_by_id(s.client_id)
  if client and type(s.command) == 'table' then
    util.request(client, 'workspace/executeCommand', { command = s.command.command, arguments = s.command.arguments }, function() end, s.bufnr)
  end
  return true
end

return M
