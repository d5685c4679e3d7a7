-- The workspace root of a file. Written against vim.loop so it runs on 0.7,
-- which has no vim.fs.

local M = {}

-- The nearest directory holding a marker wins. (AROS has an mmakefile.src in
-- nearly every directory but not at the top, so it cannot mark the root;
-- mmake.config.in is only at the top.)

--- The root for path: markers in priority order, the first that is found wins; nil when none is.
function M.find(path, markers)
  if not path or path == '' then
    return nil
  end
  local start = vim.fn.fnamemodify(path, ':p')
  -- A directory's own markers count; a file starts from its directory.
  local stat = vim.loop.fs_stat(start)
  if not (stat and stat.type == 'directory') then
    start = vim.fn.fnamemodify(start, ':h')
  end
  start = start:gsub('(.)/+$', '%1')
  for _, marker in ipairs(markers) do
    local found
    local dir = start
    while true do
      if vim.loop.fs_stat((dir == '/' and '' or dir) .. '/' .. marker) then
        found = dir
        break
      end
      local parent = vim.fn.fnamemodify(dir, ':h')
      if parent == dir then
        break
      end
      dir = parent
    end
    if found then
      return found
    end
  end
  return nil
end

return M
