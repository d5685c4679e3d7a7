-- Small helpers that paper over the Neovim versions this client supports (0.7 to 0.12).

local M = {}

M.NAME = 'aros_lsp'

local has_011 = vim.fn.has('nvim-0.11') == 1

--- Calls a client method: 0.11 made them methods (`client:request(...)`) and
--- deprecated the plain field call that 0.7 to 0.10 need.
function M.call(client, method, ...)
  if has_011 then
    return client[method](client, ...)
  end
  return client[method](...)
end

--- client.request: returns ok, request_id.
function M.request(client, method, params, handler, bufnr)
  return M.call(client, 'request', method, params, handler, bufnr)
end

--- Our running clients; with bufnr, only those attached to that buffer.
function M.clients(bufnr)
  -- get_clients is 0.10+; get_active_clients (0.7) takes no filter, so filter here for both.
  local all = (vim.lsp.get_clients or vim.lsp.get_active_clients)()
  local out = {}
  for _, client in ipairs(all) do
    if client.name == M.NAME and (bufnr == nil or vim.lsp.buf_is_attached(bufnr, client.id)) then
      table.insert(out, client)
    end
  end
  return out
end

--- The client for a command run in bufnr: the one attached to it, else the only one running.
function M.client_for(bufnr)
  local attached = M.clients(bufnr or vim.api.nvim_get_current_buf())
  if attached[1] then
    return attached[1]
  end
  local all = M.clients()
  if #all == 1 then
    return all[1]
  end
  return nil, #all == 0 and 'aros-lsp is not running (open a C file in an AROS tree)'
    or 'aros-lsp runs for several trees: run this from a buffer of the one you mean'
end

function M.root_of(client)
  return client.config and client.config.root_dir or client.root_dir
end

local function real(path)
  return (vim.loop.fs_realpath(path)) or path
end

--- path relative to root, or nil when it lies outside (the server takes workspace-relative paths only).
function M.relative(path, root)
  if not root or path == '' then
    return nil
  end
  local p, r = real(path), real(root):gsub('/+$', '')
  if p:sub(1, #r + 1) ~= r .. '/' then
    return nil
  end
  return p:sub(#r + 2)
end

--- A UTF-16 (or UTF-8/32) character offset on a line as a byte column.
function M.byte_col(line, character, encoding)
  if encoding == 'utf-8' then
    return math.min(character, #line)
  end
  local utf16 = encoding ~= 'utf-32'
  local ok, col
  if has_011 then
    ok, col = pcall(vim.str_byteindex, line, utf16 and 'utf-16' or 'utf-32', character, false)
  else
    ok, col = pcall(vim.str_byteindex, line, character, utf16)
  end
  return ok and col or #line
end

--- A one-line message in the command line (none without a UI: headless output is for scripts).
function M.echo(text, hl)
  if #vim.api.nvim_list_uis() == 0 then
    return
  end
  vim.api.nvim_echo({ { 'aros-lsp: ' .. text, hl } }, false, {})
end

return M
