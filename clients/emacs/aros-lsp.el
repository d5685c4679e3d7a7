;;; aros-lsp.el --- AROS language server (aros-lsp) for eglot and lsp-mode  -*- lexical-binding: t; -*-

;; Copyright (C) 2025 The aros-lsp authors

;; Author: The aros-lsp authors
;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1"))
;; Keywords: languages, c, tools
;; URL: https://github.com/aros-development-team/AROS

;; This file is not part of GNU Emacs.

;; This program is free software; you can redistribute it and/or modify
;; it under the terms of the GNU General Public License as published by
;; the Free Software Foundation, either version 3 of the License, or
;; (at your option) any later version.

;;; Commentary:

;; Client glue for aros-lsp, the language server for the AROS C tree
;; (navigation of AROS library functions, completion, breadcrumbs, local
;; GGUF models and the six-phase iteration loop).
;;
;; It registers the server with eglot and with lsp-mode, whichever of them
;; is loaded (neither is required), handles the server's two extensions
;; `aros/status' (index and model state, shown in the mode line and by
;; `aros-lsp-status') and `aros/iterationEvent' (the loop's live output,
;; written to the buffer "*aros-lsp iteration*"), and adds the commands
;; `aros-lsp-run-iteration' and `aros-lsp-cancel-iteration' for the
;; `aros/runIteration' request.
;;
;; Minimal setup (see README.md beside this file for use-package forms):
;;
;;   (require 'aros-lsp)
;;   (add-hook 'c-mode-hook #'eglot-ensure)     ; or #'lsp-deferred

;;; Code:

(require 'cl-lib)
(require 'subr-x)

(defgroup aros-lsp nil
  "The aros-lsp language server for the AROS C tree."
  :group 'tools
  :prefix "aros-lsp-")

(defcustom aros-lsp-server-command '("aros-lsp")
  "Command line that starts the language server on stdio.
`npm link' in the aros-lsp checkout puts \"aros-lsp\" on PATH; otherwise
use (\"node\" \"/path/to/aros-lsp/out/cli/main.js\").  Read each time a
server starts, so a change applies to the next connection."
  :type '(repeat string))

(defcustom aros-lsp-initialization-options nil
  "The `initializationOptions' sent to the server, or nil for none.
A JSON object as Emacs's JSON encoder takes it: a plist with keyword
keys, an alist with symbol keys or a hash table; arrays are vectors.
Keys are those of the server's settings (README.md, Settings), e.g.
  (:cacheDir \"/tmp/aros-cache\"
   :models (:codegen (:model_path \"/models/coder.gguf\")))"
  :type 'sexp)

(defcustom aros-lsp-show-in-mode-line t
  "Whether C buffers show the server's latest `aros/status' in the mode line."
  :type 'boolean)

(defcustom aros-lsp-iteration-max-iterations 10
  "Default `maxIterations' of `aros-lsp-run-iteration' (tasks to run)."
  :type 'integer)

(defcustom aros-lsp-iteration-max-retries 2
  "Default `maxRetries' of `aros-lsp-run-iteration' (retries per task)."
  :type 'integer)

(defcustom aros-lsp-iteration-apply nil
  "Whether `aros-lsp-run-iteration' asks the server to apply its edits.
The server then sends `workspace/applyEdit', and only if the documents
did not change during the run; nil shows the result and changes nothing."
  :type 'boolean)

(defcustom aros-lsp-iteration-finished-functions nil
  "Functions called with the `aros-lsp-iteration' when a run ends."
  :type 'hook)

;;;; JSON objects from either client

;; eglot decodes JSON objects as plists (keyword keys), lsp-mode as hash
;; tables (string keys) unless built with plists, `json-read' as alists: the
;; handlers below are shared, so they read fields through this one accessor.
(defun aros-lsp--get (object &rest keys)
  "Field KEYS (strings, a path) of OBJECT, a decoded JSON object."
  (dolist (key keys object)
    (setq object
          (cond ((hash-table-p object) (gethash key object))
                ((and (consp object) (keywordp (car object)))
                 (plist-get object (intern (concat ":" key))))
                ((consp object) (cdr (assoc-string key object)))))))

(defun aros-lsp--true-p (value)
  "Non-nil when the decoded JSON VALUE is true (false may be :json-false)."
  (and value (not (eq value :json-false))))

(defun aros-lsp--initialization-options (&rest _)
  "The `initializationOptions' object: the option, else an empty object."
  (or aros-lsp-initialization-options (make-hash-table)))

;;;; aros/status

(defvar aros-lsp--status (make-hash-table :test 'equal)
  "Latest `aros/status' per component: key \"index\" or \"model/ROLE\".
Each value is a plist (:state :message :files :time).")

(defvar aros-lsp-status-changed-hook nil
  "Hook run after an `aros/status' notification was stored.")

(defun aros-lsp-status-get (component &optional role)
  "Latest status plist of COMPONENT (\"index\" or \"model\") and ROLE."
  (gethash (if role (format "%s/%s" component role) component) aros-lsp--status))

(defun aros-lsp--status-update (params)
  "Store the `aros/status' notification PARAMS and refresh the mode line."
  (let* ((component (aros-lsp--get params "component"))
         (role (aros-lsp--get params "role"))
         (state (aros-lsp--get params "state"))
         (message (aros-lsp--get params "message")))
    (puthash (if role (format "%s/%s" component role) (format "%s" component))
             (list :state state :message message
                   :files (aros-lsp--get params "files") :time (current-time))
             aros-lsp--status)
    ;; An error (a model that cannot load, say) deserves the echo area; other states the mode line.
    (when (equal state "error")
      (message "aros-lsp: %s" message))
    (when aros-lsp-show-in-mode-line
      (add-to-list 'mode-line-misc-info 'aros-lsp--mode-line)
      (force-mode-line-update t))
    (run-hooks 'aros-lsp-status-changed-hook)))

(defun aros-lsp--status-lines ()
  "One line per stored status, index first."
  (let (lines)
    (maphash (lambda (key value)
               (push (format "%-14s %-9s %s" key (plist-get value :state)
                             (or (plist-get value :message) ""))
                     lines))
             aros-lsp--status)
    (sort lines (lambda (a b)
                  (let ((ia (string-prefix-p "index" a)) (ib (string-prefix-p "index" b)))
                    (if (eq ia ib) (string< a b) ia))))))

;;;###autoload
(defun aros-lsp-status ()
  "Show what the index and each model are doing; return it as a string."
  (interactive)
  (let ((text (if (zerop (hash-table-count aros-lsp--status))
                  "aros-lsp: no status received yet"
                (string-join (aros-lsp--status-lines) "\n"))))
    (when (called-interactively-p 'interactive)
      (message "%s" text))
    text))

(defun aros-lsp--mode-line-string ()
  "Short status for the mode line of C buffers: index and loaded models."
  (when (and aros-lsp-show-in-mode-line
             (derived-mode-p 'c-mode 'c-ts-mode)
             (> (hash-table-count aros-lsp--status) 0))
    (let (parts)
      (maphash (lambda (key value)
                 (let ((state (plist-get value :state)))
                   ;; Unloaded models are the normal idle state: not worth the space.
                   (unless (equal state "unloaded")
                     (push (format "%s:%s" (string-remove-prefix "model/" key) state) parts))))
               aros-lsp--status)
      (propertize (format " AROS[%s]" (string-join (sort parts #'string<) " "))
                  'help-echo (string-join (aros-lsp--status-lines) "\n")))))

(defvar aros-lsp--mode-line '(:eval (aros-lsp--mode-line-string))
  "Mode-line construct added to `mode-line-misc-info'.")
;; Without this the mode line ignores the :eval form.
(put 'aros-lsp--mode-line 'risky-local-variable t)

;;;; aros/iterationEvent and the iteration buffer

(defconst aros-lsp-iteration-buffer-name "*aros-lsp iteration*")

(cl-defstruct (aros-lsp-iteration (:constructor aros-lsp--make-iteration))
  "One `aros/runIteration' request."
  backend connection id token params done result error)

(defvar aros-lsp-last-iteration nil
  "The most recent `aros-lsp-iteration' started from Emacs.")

(defvar aros-lsp--token-counter 0)

(defvar aros-lsp-iteration-mode-map
  (let ((map (make-sparse-keymap)))
    (define-key map (kbd "C-c C-k") #'aros-lsp-cancel-iteration)
    map)
  "Keymap of `aros-lsp-iteration-mode'.")

(define-derived-mode aros-lsp-iteration-mode special-mode "AROS-Iteration"
  "Live output of the aros-lsp iteration loop.
\\{aros-lsp-iteration-mode-map}")

(defun aros-lsp--iteration-buffer ()
  "The iteration buffer, created on first use."
  (or (get-buffer aros-lsp-iteration-buffer-name)
      (with-current-buffer (get-buffer-create aros-lsp-iteration-buffer-name)
        (aros-lsp-iteration-mode)
        (current-buffer))))

(defun aros-lsp--iteration-write (string &optional face raw)
  "Append STRING to the iteration buffer, as a line unless RAW.
FACE propertizes it.  Windows whose point was at the end follow."
  (with-current-buffer (aros-lsp--iteration-buffer)
    (let* ((inhibit-read-only t)
           (end (point-max))
           (followers (cl-remove-if-not (lambda (w) (= (window-point w) end))
                                        (get-buffer-window-list nil nil t)))
           (at-end (= (point) end)))
      (save-excursion
        (goto-char end)
        ;; Streamed tokens leave the line open; a new line starts below them.
        (unless (or raw (bolp)) (insert "\n"))
        (insert (if face (propertize string 'face face) string))
        (unless raw (insert "\n")))
      (when at-end (goto-char (point-max)))
      (dolist (w followers) (set-window-point w (point-max))))))

(defun aros-lsp--iteration-event (event)
  "Write the `aros/iterationEvent' EVENT into the iteration buffer."
  (let ((get (lambda (&rest keys) (apply #'aros-lsp--get event keys)))
        (at (lambda () (format "[%s.%s]" (aros-lsp--get event "iteration")
                               (aros-lsp--get event "attempt")))))
    (pcase (funcall get "type")
      ("task"
       ;; Events also come from code-action runs: show the buffer when one starts.
       (unless (get-buffer-window (aros-lsp--iteration-buffer) t)
         (display-buffer (aros-lsp--iteration-buffer)))
       (aros-lsp--iteration-write
        (format "Task %s/%s: %s in %s — %s"
                (funcall get "iteration") (funcall get "total")
                (or (funcall get "task" "symbol") "?") (funcall get "task" "file")
                (or (funcall get "task" "description") ""))
        'bold))
      ("phase-start"
       (aros-lsp--iteration-write (format "%s %s ..." (funcall at) (funcall get "phase"))))
      ("phase-end"
       (aros-lsp--iteration-write
        (format "%s %s %s (%s ms): %s" (funcall at) (funcall get "phase")
                (if (aros-lsp--true-p (funcall get "ok")) "ok" "FAILED")
                (let ((ms (funcall get "ms"))) (if (numberp ms) (round ms) ms))
                (or (funcall get "summary") ""))
        (unless (aros-lsp--true-p (funcall get "ok")) 'warning)))
      ("token"
       (aros-lsp--iteration-write (or (funcall get "text") "") 'shadow t))
      ("compiler-output"
       (aros-lsp--iteration-write
        (replace-regexp-in-string "^" "  | " (string-trim-right (or (funcall get "text") "")))
        'font-lock-comment-face))
      ("task-end"
       (aros-lsp--iteration-write
        (format "Task %s %s: %s" (funcall get "iteration")
                (funcall get "result" "status") (or (funcall get "result" "reason") ""))
        'bold))
      (type (aros-lsp--iteration-write (format "(event %s)" type))))))

(defun aros-lsp--iteration-finish (run result error)
  "Record RESULT or ERROR of RUN, write the summary and run the hook."
  (unless (aros-lsp-iteration-done run)
    (setf (aros-lsp-iteration-done run) t
          (aros-lsp-iteration-result run) result
          (aros-lsp-iteration-error run) error)
    (if error
        (aros-lsp--iteration-write (format "Iteration ended: %s" error) 'error)
      (let ((summary (aros-lsp--get result "summary"))
            (edits (aros-lsp--get result "edits")))
        (aros-lsp--iteration-write
         (format "Summary: %s task(s), %s succeeded, %s failed, %s cancelled; session %s"
                 (aros-lsp--get summary "total") (aros-lsp--get summary "successful")
                 (aros-lsp--get summary "failed") (aros-lsp--get summary "cancelled")
                 (aros-lsp--get result "sessionId"))
         'bold)
        (mapc (lambda (edit)
                (aros-lsp--iteration-write
                 (format "Edit: %s lines %s-%s%s" (aros-lsp--get edit "file")
                         (1+ (aros-lsp--get edit "startLine")) (aros-lsp--get edit "endLine")
                         (if (aros-lsp--true-p (aros-lsp--get result "applied")) " (applied)" ""))))
              edits)
        (when-let ((why (aros-lsp--get result "applyMessage")))
          (aros-lsp--iteration-write why))))
    (run-hook-with-args 'aros-lsp-iteration-finished-functions run)))

;;;; Talking to the server through eglot or lsp-mode

(defvar eglot-server-programs)
(defvar eglot--managed-mode)
(defvar lsp-mode)
(defvar lsp--cur-workspace)
(declare-function eglot-current-server "eglot" ())
(declare-function eglot--project "eglot" (server))
(declare-function eglot--TextDocumentIdentifier "eglot" ())
(declare-function project-root "project" (project))
(declare-function jsonrpc-request "jsonrpc" (connection method params &rest args))
(declare-function jsonrpc-notify "jsonrpc" (connection method params))
(declare-function jsonrpc-async-request "jsonrpc" (connection method params &rest args))
(declare-function jsonrpc--async-request-1 "jsonrpc" (connection method params &rest args))
(declare-function jsonrpc-running-p "jsonrpc" (connection))
(declare-function lsp-register-client "lsp-mode" (client))
(declare-function make-lsp-client "lsp-mode" (&rest args))
(declare-function lsp-stdio-connection "lsp-mode" (command &optional test-command))
(declare-function lsp-activate-on "lsp-mode" (&rest languages))
(declare-function lsp-request "lsp-mode" (method params &rest args))
(declare-function lsp-request-async "lsp-mode" (method params callback &rest args))
(declare-function lsp-cancel-request-by-token "lsp-mode" (cancel-token))
(declare-function lsp-find-workspace "lsp-mode" (server-id &optional file-name))
(declare-function lsp-workspace-root "lsp-mode" (&optional path))
(declare-function lsp--text-document-identifier "lsp-mode" ())

(defun aros-lsp--connection ()
  "(BACKEND CONNECTION ROOT) of the aros-lsp server of this buffer, or nil."
  (cond
   ((and (bound-and-true-p eglot--managed-mode) (fboundp 'eglot-current-server))
    (when-let ((server (eglot-current-server)))
      (list 'eglot server (project-root (eglot--project server)))))
   ((and (bound-and-true-p lsp-mode) (fboundp 'lsp-find-workspace))
    (when-let ((workspace (lsp-find-workspace 'aros-lsp (buffer-file-name))))
      (list 'lsp-mode workspace (lsp-workspace-root))))))

(defun aros-lsp--connection-or-lose ()
  "Like `aros-lsp--connection', but signal a `user-error' when there is none."
  (or (aros-lsp--connection)
      (user-error "No aros-lsp server for this buffer: start it with `eglot' or `lsp'")))

(defun aros-lsp--request (conn method params)
  "Send METHOD (a string) with PARAMS over CONN and wait for the result."
  (pcase (car conn)
    ('eglot (jsonrpc-request (nth 1 conn) (intern (concat ":" method)) params))
    ('lsp-mode (let ((lsp--cur-workspace (nth 1 conn))) (lsp-request method params)))))

(defun aros-lsp--function-at-point (conn)
  "Return the function around point, as the server on CONN names it.
Its document symbols name AROS_LHn definitions by their real names, which
`add-log-current-defun' does not; that is the fallback."
  (let* ((line (1- (line-number-at-pos)))
         (document (pcase (car conn)
                     ('eglot (eglot--TextDocumentIdentifier))
                     ('lsp-mode (lsp--text-document-identifier))))
         (symbols (ignore-errors
                    (aros-lsp--request conn "textDocument/documentSymbol"
                                       (list :textDocument document))))
         found)
    (cl-labels ((walk (list)
                  (mapc (lambda (s)
                          (let ((range (aros-lsp--get s "range")))
                            (when (and (<= (aros-lsp--get range "start" "line") line)
                                       (>= (aros-lsp--get range "end" "line") line))
                              ;; 12 is SymbolKind.Function; children are innermost.
                              (when (eql (aros-lsp--get s "kind") 12)
                                (setq found (aros-lsp--get s "name")))
                              (walk (aros-lsp--get s "children")))))
                        list)))
      (walk symbols))
    (or found (add-log-current-defun))))

(defun aros-lsp--send-iteration (conn params)
  "Send `aros/runIteration' with PARAMS over CONN; return the `aros-lsp-iteration'."
  (when (and aros-lsp-last-iteration (not (aros-lsp-iteration-done aros-lsp-last-iteration)))
    (user-error "An iteration is still running: `aros-lsp-cancel-iteration' first"))
  (let* ((token (format "aros-lsp-iteration-%d" (cl-incf aros-lsp--token-counter)))
         (params (append params (list :workDoneToken token)))
         (run (aros-lsp--make-iteration :backend (car conn) :connection (nth 1 conn)
                                        :token token :params params))
         (done (lambda (result) (aros-lsp--iteration-finish run result nil)))
         (failed (lambda (err)
                   (aros-lsp--iteration-finish
                    run nil (or (aros-lsp--get err "message") (format "%S" err))))))
    (setq aros-lsp-last-iteration run)
    (with-current-buffer (aros-lsp--iteration-buffer)
      (let ((inhibit-read-only t)) (erase-buffer)))
    (aros-lsp--iteration-write
     (format "aros/runIteration: %s, maxIterations %s, maxRetries %s%s"
             (if-let ((task (plist-get params :task)))
                 (format "%s in %s" (plist-get task :symbol) (plist-get task :file))
               (format "project %s" (plist-get params :project)))
             (plist-get params :maxIterations) (plist-get params :maxRetries)
             (if (eq (plist-get params :apply) t) ", apply" ""))
     'bold)
    (display-buffer (aros-lsp--iteration-buffer))
    (pcase (car conn)
      ('eglot
       ;; jsonrpc has no public way to learn a request's id, and `$/cancelRequest'
       ;; needs it: `jsonrpc--async-request-1' returns (ID TIMER).  No timeout:
       ;; a run takes minutes, and the user cancels it.
       (let ((args (list :success-fn done :error-fn failed :timeout nil)))
         (if (fboundp 'jsonrpc--async-request-1)
             (setf (aros-lsp-iteration-id run)
                   (car (apply #'jsonrpc--async-request-1 (nth 1 conn)
                               :aros/runIteration params args)))
           (apply #'jsonrpc-async-request (nth 1 conn) :aros/runIteration params args))))
      ('lsp-mode
       ;; Bound so that the request goes to aros-lsp only, not to every server of the buffer.
       (let ((lsp--cur-workspace (nth 1 conn)))
         (lsp-request-async "aros/runIteration" params done
                            :mode 'detached :error-handler failed
                            :cancel-token (intern token))
         (setf (aros-lsp-iteration-id run) (intern token)))))
    run))

;;;###autoload
(defun aros-lsp-run-iteration-project (project &optional max-iterations max-retries)
  "Run the iteration loop on PROJECT (a project name or a workspace path).
MAX-ITERATIONS and MAX-RETRIES default to `aros-lsp-iteration-max-iterations'
and `aros-lsp-iteration-max-retries'.  Returns the `aros-lsp-iteration';
the result arrives asynchronously (see `aros-lsp-iteration-finished-functions')."
  (aros-lsp--send-iteration
   (aros-lsp--connection-or-lose)
   (list :project project
         :maxIterations (or max-iterations aros-lsp-iteration-max-iterations)
         :maxRetries (or max-retries aros-lsp-iteration-max-retries)
         :apply (if aros-lsp-iteration-apply t :json-false))))

;;;###autoload
(defun aros-lsp-run-iteration-task (file symbol &optional max-retries)
  "Run the iteration loop on one task: write SYMBOL in FILE (workspace-relative).
MAX-RETRIES defaults to `aros-lsp-iteration-max-retries'."
  (aros-lsp--send-iteration
   (aros-lsp--connection-or-lose)
   (list :task (list :file file :symbol symbol)
         :maxIterations 1
         :maxRetries (or max-retries aros-lsp-iteration-max-retries)
         :apply (if aros-lsp-iteration-apply t :json-false))))

(defvar aros-lsp--project-history nil)

;;;###autoload
(defun aros-lsp-run-iteration (&optional task-at-point)
  "Run the aros-lsp iteration loop, asynchronously, with live output.
Prompt for a project (a name such as \"radeonsi\", or a workspace-relative
directory; the default is this file's directory).  With a prefix argument
TASK-AT-POINT, run it on the function at point instead.  Events go to the
buffer \"*aros-lsp iteration*\", then the summary; \\[aros-lsp-cancel-iteration] cancels."
  (interactive "P")
  (let* ((conn (aros-lsp--connection-or-lose))
         (root (nth 2 conn))
         (file (and buffer-file-name root (file-relative-name buffer-file-name root))))
    (if task-at-point
        (let ((symbol (aros-lsp--function-at-point conn)))
          (unless file (user-error "This buffer visits no file of the workspace"))
          (aros-lsp-run-iteration-task
           file (read-string (format "Function to write (default %s): " symbol) nil nil symbol)))
      (let* ((default (and file (directory-file-name (or (file-name-directory file) "."))))
             (project (read-string (if default (format "Project or directory (default %s): " default)
                                                "Project or directory: ")
                                   nil 'aros-lsp--project-history default)))
        (when (string-empty-p project) (user-error "No project given"))
        (aros-lsp-run-iteration-project project)))))

;;;###autoload
(defun aros-lsp-cancel-iteration ()
  "Cancel the running `aros/runIteration' request."
  (interactive)
  (let ((run aros-lsp-last-iteration))
    (unless (and run (not (aros-lsp-iteration-done run)))
      (user-error "No iteration is running"))
    (pcase (aros-lsp-iteration-backend run)
      ('eglot
       (unless (aros-lsp-iteration-id run)
         (user-error "This jsonrpc cannot cancel a request"))
       ;; The server stops the loop and answers the request (cancelled tasks or an error).
       (jsonrpc-notify (aros-lsp-iteration-connection run) :$/cancelRequest
                       (list :id (aros-lsp-iteration-id run))))
      ('lsp-mode
       ;; lsp-mode forgets the request's handler when it cancels: end the run here.
       (let ((lsp--cur-workspace (aros-lsp-iteration-connection run)))
         (lsp-cancel-request-by-token (aros-lsp-iteration-id run)))
       (aros-lsp--iteration-finish run nil "cancelled")))
    (aros-lsp--iteration-write "Cancellation requested" 'warning)))

;;;; eglot

;; The autoloaded forms only load this file once eglot or lsp-mode is loaded;
;; the registration itself lives below, in the file, so that it never runs
;; without the functions it names.
;;;###autoload
(with-eval-after-load 'eglot (require 'aros-lsp))
;;;###autoload
(with-eval-after-load 'lsp-mode (require 'aros-lsp))

(defun aros-lsp--eglot-contact (&optional _interactive _project)
  "The eglot contact: the server command and its initializationOptions.
A function, so that the options in force when a server starts are used."
  `(,@aros-lsp-server-command
    :initializationOptions ,(aros-lsp--initialization-options)))

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs '((c-mode c-ts-mode) . aros-lsp--eglot-contact))
  ;; eglot 1.9 dispatches notifications as (SERVER METHOD-SYMBOL &rest PLIST).
  (cl-defmethod eglot-handle-notification
    (_server (_method (eql aros/status)) &rest params)
    "Handle aros-lsp's `aros/status' notification."
    (aros-lsp--status-update params))
  (cl-defmethod eglot-handle-notification
    (_server (_method (eql aros/iterationEvent)) &rest params)
    "Handle aros-lsp's `aros/iterationEvent' notification."
    (aros-lsp--iteration-event params)))

;;;; lsp-mode

(defun aros-lsp--lsp-notification-handlers ()
  "Handlers of the server's notifications, as lsp-mode wants them."
  (let ((handlers (make-hash-table :test 'equal)))
    (puthash "aros/status" (lambda (_workspace params) (aros-lsp--status-update params)) handlers)
    (puthash "aros/iterationEvent" (lambda (_workspace params) (aros-lsp--iteration-event params)) handlers)
    handlers))

(with-eval-after-load 'lsp-mode
  (lsp-register-client
   (make-lsp-client
    ;; A function, so that a later change of the command applies to the next start.
    :new-connection (lsp-stdio-connection (lambda () aros-lsp-server-command))
    :activation-fn (lsp-activate-on "c")
    :server-id 'aros-lsp
    ;; Above clangd (priority -1) for C buffers; it is an AROS-specific choice.
    :priority 1
    :initialization-options #'aros-lsp--initialization-options
    :notification-handlers (aros-lsp--lsp-notification-handlers))))

(provide 'aros-lsp)
;;; aros-lsp.el ends here
