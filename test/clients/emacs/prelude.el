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

(provide 'prelude)
;;; prelude.el ends here
