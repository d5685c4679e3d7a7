# aros-lsp for Kakoune with kakoune-lsp 17 or newer: source this from your
# kakrc after kakoune-lsp is loaded (`source /path/to/aros-lsp/clients/kakoune/aros-lsp.kak`).

declare-option -docstring 'the command that starts aros-lsp' str aros_lsp_command aros-lsp

hook -group aros-lsp global BufSetOption filetype=c %{
    set-option buffer lsp_servers "
        [aros-lsp]
        root_globs = [""mmake.config.in"", "".git""]
        command = ""%opt{aros_lsp_command}""
        args = [""serve"", ""--stdio""]
        settings_section = ""aros-lsp""
        [aros-lsp.settings.aros-lsp]
        breadcrumbDiagnostics = true
    "
}

# kakoune-lsp sends workspace/executeCommand with lsp-execute-command: the
# loop on the function under the cursor goes through the server's own command.
define-command -docstring 'aros-lsp-run-iteration <function>: run the loop on the task breadcrumb of a function in this file' \
    -params 1 aros-lsp-run-iteration %{
    lsp-execute-command aros.runIterationHere "[{""file"": ""%val{buffile}"", ""symbol"": ""%arg{1}""}]"
}

define-command -docstring 'aros-lsp-check-file: compile this file with the configured command and show the compiler diagnostics' \
    aros-lsp-check-file %{
    lsp-execute-command aros.checkFile "[{""uri"": ""file://%val{buffile}""}]"
}
