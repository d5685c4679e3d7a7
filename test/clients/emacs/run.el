;;; run.el --- batch test of clients/emacs/aros-lsp.el with eglot  -*- lexical-binding: t; -*-

;; Run by test/clients/emacs.test.ts after aros-lsp.el is loaded:
;;   emacs --batch -Q --eval (package-initialize) -L clients/emacs -l aros-lsp -l run.el
;; AROS_LSP_TEST_CONFIG names a JSON file with root, cmd and
;; initializationOptions (test/clients/editorWorkspace.ts).  Every check
;; prints "OK <name>: ..." or "FAIL <name>: ..." and exits 1; the end prints
;; "ALL OK" and exits 0.

;;; Code:

(load (expand-file-name "prelude" (file-name-directory (or load-file-name buffer-file-name))) nil t)

(unless (require 'eglot nil t)
  (message "MISSING eglot: apt-get install -y emacs-nox elpa-eglot")
  (kill-emacs 3))
(unless (featurep 'aros-lsp)
  (aros-test-fail "load" "aros-lsp.el is not loaded"))

(defvar aros-test-config (json-read-file (or (getenv "AROS_LSP_TEST_CONFIG")
                                             (aros-test-fail "config" "AROS_LSP_TEST_CONFIG is not set"))))
(defvar aros-test-root (file-name-as-directory (alist-get 'root aros-test-config)))
(defvar aros-test-makelist (expand-file-name "workbench/libs/mylib/makelist.c" aros-test-root))

(defun aros-test-position (line character)
  "TextDocumentPositionParams in the current buffer at 0-based LINE and CHARACTER."
  (list :textDocument (eglot--TextDocumentIdentifier) :position (list :line line :character character)))

(defun aros-test-goto (line character)
  "Move point to 0-based LINE and CHARACTER."
  (goto-char (point-min))
  (forward-line line)
  (forward-char character))

(defun aros-test-uri-file (uri)
  "Workspace-relative file of URI."
  (file-relative-name (eglot--uri-to-path uri) aros-test-root))

(condition-case err
    (progn
      ;; The package's defcustoms, so the connection goes through its own eglot registration.
      (setq aros-lsp-server-command (append (alist-get 'cmd aros-test-config) nil)
            aros-lsp-initialization-options (alist-get 'initializationOptions aros-test-config))
      (unless (equal (car (car eglot-server-programs)) '(c-mode c-ts-mode))
        (aros-test-fail "registration" "eglot-server-programs starts with %S" (car eglot-server-programs)))
      ;; An AROS checkout is a git work tree; that is what makes it eglot's project root.
      (unless (eq 0 (call-process "git" nil nil nil "init" "-q" aros-test-root))
        (aros-test-fail "registration" "git init failed in %s" aros-test-root))

      (find-file aros-test-makelist)
      (unless (eq major-mode 'c-mode) (aros-test-fail "registration" "makelist.c opened in %s" major-mode))
      ;; eglot-ensure connects after the current command: run that hook as the command loop would.
      (eglot-ensure)
      (run-hooks 'post-command-hook)
      (let* ((server (aros-test-wait "registration" 30 #'eglot-current-server))
             (command (process-command (jsonrpc--process server))))
        (unless (equal command aros-lsp-server-command)
          (aros-test-fail "registration" "server command %S, expected %S" command aros-lsp-server-command))
        (unless (equal (plist-get (eglot--saved-initargs server) :initializationOptions)
                       aros-lsp-initialization-options)
          (aros-test-fail "registration" "initializationOptions %S" (eglot--saved-initargs server)))
        (unless (equal (file-name-as-directory (expand-file-name (project-root (eglot--project server))))
                       (expand-file-name aros-test-root))
          (aros-test-fail "registration" "project root %s" (project-root (eglot--project server))))
        (aros-test-ok "registration" "%s" (string-join command " "))

        ;; aros/status: the package's store says the index is ready, and the mode line shows it.
        (aros-test-wait "status" 60 (lambda () (equal (plist-get (aros-lsp-status-get "index") :state) "ready")))
        (let ((text (aros-lsp-status)) (mode-line (aros-lsp--mode-line-string)))
          (unless (string-match-p "^index +ready" text) (aros-test-fail "status" "aros-lsp-status said %S" text))
          (unless (and mode-line (string-match-p "index:ready" mode-line))
            (aros-test-fail "status" "mode line %S" mode-line))
          (unless (memq 'aros-lsp--mode-line mode-line-misc-info)
            (aros-test-fail "status" "not in mode-line-misc-info"))
          (aros-test-ok "status" "%s | mode line%s" (car (split-string text "\n")) mode-line))

        ;; Hover on the call `list = AllocMem(...)' (makelist.c line 65).
        (let* ((hover (jsonrpc-request server :textDocument/hover (aros-test-position 64 13)))
               (value (plist-get (plist-get hover :contents) :value)))
          (dolist (expected '("APTR AllocMem(" "IPTR byteSize /* D0 */" "**Exec** library function" "LVO 33"))
            (unless (and (stringp value) (string-search expected value))
              (aros-test-fail "hover" "%S not in %S" expected value)))
          (aros-test-ok "hover" "%s" (car (split-string value "\n" t "```c"))))

        ;; Go to definition through eglot's xref backend (what M-. asks): the AROS_LH2 in
        ;; allocmem.c comes first (proto/exec.h's macro second); jumping to it lands on the name.
        (aros-test-goto 64 13)
        (let* ((items (xref-backend-definitions 'eglot (xref-backend-identifier-at-point 'eglot)))
               (files (mapcar (lambda (x) (file-relative-name (xref-location-group (xref-item-location x)) aros-test-root))
                              items)))
          (unless (equal (car files) "rom/exec/allocmem.c")
            (aros-test-fail "definition" "definitions in %S, expected rom/exec/allocmem.c first" files))
          (xref-pop-to-location (car items))
          (let ((file (file-relative-name buffer-file-name aros-test-root))
                (line (line-number-at-pos))
                (column (current-column)))
            (unless (and (equal file "rom/exec/allocmem.c") (= line 23) (= column 23)
                         (looking-at-p "AllocMem,"))
              (aros-test-fail "definition" "went to %s:%s:%s, expected rom/exec/allocmem.c:23:23" file line column))
            (aros-test-ok "definition" "%s:%s:%s (of %s)" file line column (string-join files ", "))))
        (switch-to-buffer (find-buffer-visiting aros-test-makelist))

        ;; workspace/symbol: the library body ranks first.
        (let* ((found (jsonrpc-request server :workspace/symbol '(:query "AllocMem")))
               (first (and (> (length found) 0) (aref found 0)))
               (location (plist-get first :location))
               (where (and location (format "%s:%s" (aros-test-uri-file (plist-get location :uri))
                                            (plist-get (plist-get (plist-get location :range) :start) :line)))))
          (unless (and first (equal (plist-get first :name) "AllocMem") (equal where "rom/exec/allocmem.c:22"))
            (aros-test-fail "workspace-symbol" "first of %s: %S" (length found) first))
          (aros-test-ok "workspace-symbol" "%s results, first AllocMem at %s" (length found) where))

        ;; Completion after `AllocM' (makelist.c line 65): the raw request and eglot's own
        ;; completion-at-point table both offer AllocMem.
        (let* ((r (jsonrpc-request server :textDocument/completion (aros-test-position 64 17)))
               (items (if (vectorp r) r (plist-get r :items)))
               (labels (mapcar (lambda (i) (plist-get i :label)) items)))
          (unless (member "AllocMem" labels)
            (aros-test-fail "completion" "no AllocMem in %S" (seq-take labels 20)))
          (aros-test-goto 64 17)
          (let* ((capf (eglot-completion-at-point))
                 (table (nth 2 capf))
                 (candidates (and capf (all-completions "AllocM" table))))
            (unless (member "AllocMem" candidates)
              (aros-test-fail "completion" "eglot-completion-at-point gave %S" candidates))
            (aros-test-ok "completion" "%s items; capf: %s" (length labels) (string-join candidates " "))))

        ;; Code actions on the static DropCounters (no breadcrumb): "Add an AI breadcrumb".
        (let* ((range '(:start (:line 10 :character 14) :end (:line 10 :character 14)))
               (actions (jsonrpc-request server :textDocument/codeAction
                                         (list :textDocument (eglot--TextDocumentIdentifier)
                                               :range range :context (list :diagnostics []))))
               (titles (mapcar (lambda (a) (plist-get a :title)) actions)))
          (unless (member "Add an AI breadcrumb" titles)
            (aros-test-fail "code-action" "titles %S" titles))
          (aros-test-ok "code-action" "%s" (string-join titles " | ")))

        ;; The loop on project demo with the tiny model: live events, then the summary.
        (let ((run (aros-lsp-run-iteration-project "demo" 1 0)))
          (pcase-let ((`(,session . ,text) (aros-test-finished-run run)))
            (dolist (phase '("explore" "reason" "generate" "review" "compile" "learn"))
              (unless (string-match-p (format "^\\[1\\.1\\] %s \\.\\.\\.$" phase) text)
                (aros-test-fail "iteration" "no start line for %s in:\n%s" phase text))
              (unless (string-match-p (format "^\\[1\\.1\\] %s \\(ok\\|FAILED\\) ([0-9]+ ms)" phase) text)
                (aros-test-fail "iteration" "no end line for %s in:\n%s" phase text)))
            (dolist (expected '("Task 1/1: demo_add in workbench/hidds/demo/demo.c" "Task 1 " "Summary: 1 task(s)"))
              (unless (string-search expected text)
                (aros-test-fail "iteration" "%S not in:\n%s" expected text)))
            (unless (string-search session text)
              (aros-test-fail "iteration" "the summary does not name session %s" session))
            (message "--- %s ---\n%s--- end ---" aros-lsp-iteration-buffer-name text)
            (aros-test-ok "iteration" "session %s" session)))

        ;; The command itself with a prefix argument (the task at point: inside demo_scale in
        ;; demo.c, the name from the server's document symbols), then aros-lsp-cancel-iteration
        ;; while the model reasons: the server stops the run.
        (find-file (expand-file-name "workbench/hidds/demo/demo.c" aros-test-root))
        (aros-test-goto 25 4)
        (unless (eq (eglot-current-server) server)
          (aros-test-fail "cancel" "demo.c is not managed by the same server"))
        (let ((prompts nil))
          ;; Accept each prompt's default, as RET would.
          (cl-letf (((symbol-function 'read-string)
                     (lambda (prompt &optional _initial _history default &rest _)
                       (push prompt prompts)
                       default)))
            (let ((current-prefix-arg '(4)))
              (call-interactively #'aros-lsp-run-iteration)))
          (aros-test-ok "task-at-point" "prompts %S" (reverse prompts)))
        (let ((run aros-lsp-last-iteration))
          (unless (equal (plist-get (aros-lsp-iteration-params run) :task)
                         '(:file "workbench/hidds/demo/demo.c" :symbol "demo_scale"))
            (aros-test-fail "cancel" "task at point sent %S" (aros-lsp-iteration-params run)))
          (aros-test-wait "cancel" 60
                          (lambda () (with-current-buffer aros-lsp-iteration-buffer-name
                                       (save-excursion (goto-char (point-min))
                                                       (re-search-forward "^\\[1\\.1\\] reason \\.\\.\\.$" nil t)))))
          (aros-lsp-cancel-iteration)
          (aros-test-wait "cancel" 60 (lambda () (aros-lsp-iteration-done run)))
          (let* ((result (aros-lsp-iteration-result run))
                 (cancelled (aros-lsp--get result "summary" "cancelled"))
                 (error (aros-lsp-iteration-error run)))
            (unless (or (and (numberp cancelled) (> cancelled 0))
                        (and error (string-match-p "cancel" (downcase error))))
              (aros-test-fail "cancel" "not cancelled: error %S, result %S" error result))
            (aros-test-ok "cancel" "%s" (or error (format "summary.cancelled %s" cancelled)))))

        (eglot-shutdown server)
        (message "ALL OK")
        (kill-emacs 0)))
  (error (aros-test-fail "error" "%s" (error-message-string err))))

;;; run.el ends here
