;;; prelude.el --- what the Emacs batch tests share  -*- lexical-binding: t; -*-

;; Loaded by run.el and run-lsp-mode.el: reporting (one "OK <name>: ..." or
;; "FAIL <name>: ..." line per check, exit 1 on the first failure), bounded
;; waits, and a watchdog so a hung script fails instead of stalling CI.

;;; Code:

(require 'cl-lib)
(require 'json)
(require 'subr-x)

(defun aros-test-fail (name format-string &rest args)
  "Report check NAME failed (FORMAT-STRING and ARGS say why) and exit 1."
  (message "FAIL %s: %s" name (apply #'format format-string args))
  (kill-emacs 1))

(defun aros-test-ok (name format-string &rest args)
  "Report check NAME passed; FORMAT-STRING and ARGS say what was seen."
  (message "OK %s: %s" name (apply #'format format-string args)))

(defun aros-test-wait (what seconds predicate)
  "Wait up to SECONDS, serving process output, until PREDICATE is non-nil.
Fail naming WHAT on timeout.  Returns PREDICATE's value."
  (let ((deadline (+ (float-time) seconds)) value)
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.1))
    (or value (aros-test-fail what "nothing after %s s" seconds))))

;; A test that hangs is a failure, never a stuck CI job.
(run-at-time 150 nil (lambda () (aros-test-fail "watchdog" "the script ran for 150 s")))
;; Used after aros-lsp.el is loaded: its run record and iteration buffer.
(declare-function aros-lsp-iteration-done "aros-lsp")
(declare-function aros-lsp-iteration-error "aros-lsp")
(declare-function aros-lsp-iteration-result "aros-lsp")
(declare-function aros-lsp--get "aros-lsp")
(defvar aros-lsp-iteration-buffer-name)

(defun aros-test-finished-run (run)
  "Wait for the loop RUN to finish without error; return (SESSION-ID . BUFFER-TEXT).
Fails check \"iteration\" on a timeout, an error or a malformed session id."
  (aros-test-wait "iteration" 100 (lambda () (aros-lsp-iteration-done run)))
  (when (aros-lsp-iteration-error run)
    (aros-test-fail "iteration" "error %s" (aros-lsp-iteration-error run)))
  (let ((session (aros-lsp--get (aros-lsp-iteration-result run) "sessionId"))
        (text (with-current-buffer aros-lsp-iteration-buffer-name
                (buffer-substring-no-properties (point-min) (point-max)))))
    (unless (and (stringp session) (string-match-p "^[0-9]\\{4\\}-" session))
      (aros-test-fail "iteration" "sessionId %S" session))
    (cons session text)))

(provide 'prelude)
;;; prelude.el ends here
