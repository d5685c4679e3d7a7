;;; run-lsp-mode.el --- batch test of clients/emacs/aros-lsp.el with lsp-mode  -*- lexical-binding: t; -*-

;; Run by test/clients/emacs.test.ts after aros-lsp.el is loaded:
;;   emacs --batch -Q --eval (package-initialize) -L clients/emacs -l aros-lsp -l run-lsp-mode.el
;; The same config as run.el (AROS_LSP_TEST_CONFIG).  Checks the lsp-mode
;; registration (client, command, activation for C only), then connects
;; through it and asks for hover and a loop run, whose answers lsp-mode
;; decodes differently from eglot (hash tables, not plists).

;;; Code:

(load (expand-file-name "prelude" (file-name-directory (or load-file-name buffer-file-name))) nil t)

(defvar aros-test-config (json-read-file (or (getenv "AROS_LSP_TEST_CONFIG")
                                             (aros-test-fail "config" "AROS_LSP_TEST_CONFIG is not set"))))
(defvar aros-test-root (file-name-as-directory (alist-get 'root aros-test-config)))
(defvar aros-test-makelist (expand-file-name "workbench/libs/mylib/makelist.c" aros-test-root))

;; lsp-mode keeps its session (the known project roots) in HOME, which the test isolates.
(setq lsp-session-file (expand-file-name "lsp-session-v1" (getenv "HOME"))
      lsp-restart 'ignore
      lsp-keep-workspace-alive nil)

(unless (require 'lsp-mode nil t)
  (message "MISSING lsp-mode: apt-get install -y elpa-lsp-mode")
  (kill-emacs 3))
(unless (featurep 'aros-lsp)
  (aros-test-fail "client" "aros-lsp.el is not loaded"))

(condition-case err
    (progn
      (setq aros-lsp-server-command (append (alist-get 'cmd aros-test-config) nil)
            aros-lsp-initialization-options (alist-get 'initializationOptions aros-test-config))

      ;; The registration: one client, id aros-lsp, options from the package's function.
      (let ((client (gethash 'aros-lsp lsp-clients)))
        (unless client (aros-test-fail "client" "no aros-lsp in lsp-clients"))
        (let ((options (funcall (lsp--client-initialization-options client)))
              (connection (lsp--client-new-connection client)))
          (unless (equal options aros-lsp-initialization-options)
            (aros-test-fail "client" "initialization options %S" options))
          (unless (funcall (plist-get connection :test?))
            (aros-test-fail "client" "the connection's test says %S is not runnable" aros-lsp-server-command))
          (aros-test-ok "client" "server-id %s, priority %s" (lsp--client-server-id client) (lsp--client-priority client)))

        ;; Activation: C buffers only.
        (let ((activation (lsp--client-activation-fn client))
              (c-file aros-test-makelist)
              (sh-file (expand-file-name "x.sh" aros-test-root)))
          (unless (with-current-buffer (find-file-noselect c-file) (funcall activation c-file major-mode))
            (aros-test-fail "activation" "not active in makelist.c (%s)" major-mode))
          (when (with-temp-buffer (setq buffer-file-name sh-file) (sh-mode) (funcall activation sh-file major-mode))
            (aros-test-fail "activation" "active in a shell script"))
          (when (with-temp-buffer (setq buffer-file-name (concat c-file "c")) (c++-mode) (funcall activation buffer-file-name major-mode))
            (aros-test-fail "activation" "active in C++"))
          (aros-test-ok "activation" "c-mode yes, sh-mode no, c++-mode no")))

      ;; Connect as a user does: the project root known to the session, then M-x lsp.
      (lsp-workspace-folders-add aros-test-root)
      (find-file aros-test-makelist)
      (lsp)
      (let* ((workspace (aros-test-wait "connection" 30
                                        (lambda () (let ((w (lsp-find-workspace 'aros-lsp buffer-file-name)))
                                                     (and w (eq (lsp--workspace-status w) 'initialized) w)))))
             (command (process-command (lsp--workspace-cmd-proc workspace))))
        (unless (equal command aros-lsp-server-command)
          (aros-test-fail "connection" "server command %S, expected %S" command aros-lsp-server-command))
        (unless (equal (lsp-workspace-root) (directory-file-name aros-test-root))
          (aros-test-fail "connection" "root %S" (lsp-workspace-root)))
        (aros-test-ok "connection" "%s" (string-join command " "))

        ;; aros/status through the client's notification handler.
        (aros-test-wait "status" 60 (lambda () (equal (plist-get (aros-lsp-status-get "index") :state) "ready")))
        (aros-test-ok "status" "%s" (car (split-string (aros-lsp-status) "\n")))

        ;; Hover on `AllocMem(' (makelist.c line 65), decoded by lsp-mode.
        (goto-char (point-min))
        (forward-line 64)
        (forward-char 13)
        (let* ((hover (lsp-request "textDocument/hover" (lsp--text-document-position-params)))
               (value (aros-lsp--get hover "contents" "value")))
          (dolist (expected '("APTR AllocMem(" "LVO 33"))
            (unless (and (stringp value) (string-search expected value))
              (aros-test-fail "hover" "%S not in %S" expected value)))
          (aros-test-ok "hover" "%s" (car (split-string value "\n" t "```c"))))

        ;; The loop through the lsp-mode backend of aros-lsp-run-iteration.
        (let ((run (aros-lsp-run-iteration-project "demo" 1 0)))
          (unless (eq (aros-lsp-iteration-backend run) 'lsp-mode)
            (aros-test-fail "iteration" "backend %s" (aros-lsp-iteration-backend run)))
          (pcase-let ((`(,session . ,text) (aros-test-finished-run run)))
            (dolist (phase '("explore" "reason" "generate" "review" "compile" "learn"))
              (unless (string-match-p (format "^\\[1\\.1\\] %s \\(ok\\|FAILED\\) ([0-9]+ ms)" phase) text)
                (aros-test-fail "iteration" "no end line for %s in:\n%s" phase text)))
            (unless (string-match-p (format "^Summary: 1 task(s), .*; session %s$" (regexp-quote session)) text)
              (aros-test-fail "iteration" "no summary in:\n%s" text))
            (aros-test-ok "iteration" "session %s" session)))

        (lsp-workspace-shutdown workspace)
        (aros-test-wait "shutdown" 15 (lambda () (not (process-live-p (lsp--workspace-cmd-proc workspace)))))
        (message "ALL OK")
        (kill-emacs 0)))
  (error (aros-test-fail "error" "%s" (error-message-string err))))

;;; run-lsp-mode.el ends here
