# Stands in for kakoune-lsp (not packaged by Debian): the option it reads and
# the command it offers, recording what aros-lsp.kak passes to it.
declare-option str lsp_servers
define-command -params .. lsp-execute-command %{
    nop %sh{ for a in "$@"; do printf '%s\n' "$a"; done >> "$AROS_KAK_OUT.cmd" }
}
