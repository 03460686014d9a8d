;;; system.scm -- (scheme process-context) and (scheme time) (R7RS 6.14):
;;; command-line, environment variables through the host, the clocks.
;;; exit, emergency-exit and their dynamic-wind behaviour are checked by
;;; tests/cli/run.sh (they end the process).
;;; SPDX-License-Identifier: MIT

(test-group "process-context"
  (test-assert "command-line is a non-empty list of strings"
               (let ((c (command-line))) (and (pair? c) (every string? c))))
  (test "get-environment-variable of a missing name" #f
        (get-environment-variable "PITH_SURELY_NOT_SET_ANYWHERE_42"))
  ;; a POSIX process has PATH; a unikernel's environment is only what its
  ;; command line gives (the metal test run passes PITH_TEST_SCALE)
  (cond-expand
    (posix (test-assert "PATH is a string" (string? (get-environment-variable "PATH"))))
    (else (test-assert "a variable the host does not lend is #f" (not (get-environment-variable "PATH")))))
  (test-assert "get-environment-variables is an alist of strings"
               (let ((vars (get-environment-variables)))
                 (and (list? vars) (cond-expand (posix (pair? vars)) (else #t))
                      (every (lambda (p) (and (pair? p) (string? (car p)) (string? (cdr p)))) vars))))
  (test-assert "the alist agrees with get-environment-variable"
               (every (lambda (p) (equal? (cdr p) (get-environment-variable (car p)))) (get-environment-variables)))
  (test-error "get-environment-variable of a non-string" (get-environment-variable 'PATH))
  (test "the library exports exactly the report's names"
        '(command-line emergency-exit exit get-environment-variable get-environment-variables)
        (list-sort (lambda (a b) (string<? (symbol->string a) (symbol->string b)))
                   (library-exports '(scheme process-context)))))

(test-group "time"
  (test-assert "current-second is after 2020 (POSIX seconds, inexact)"
               (let ((s (current-second))) (and (inexact? s) (> s 1.5e9))))
  (test-assert "current-jiffy is an exact integer" (exact-integer? (current-jiffy)))
  (test-assert "jiffies-per-second is a positive exact integer"
               (let ((j (jiffies-per-second))) (and (exact-integer? j) (> j 0))))
  (test-assert "current-jiffy never goes back"
               (let loop ((i 0) (prev (current-jiffy)))
                 (or (= i 1000)
                     (let ((now (current-jiffy))) (and (>= now prev) (loop (+ i 1) now))))))
  (test-assert "jiffies measure time: a busy loop takes some"
               (let ((t0 (current-jiffy)))
                 (let loop ((i 0)) (when (< i 100000) (loop (+ i 1))))
                 (> (current-jiffy) t0)))
  (test-assert "current-second and current-jiffy agree within a second"
               (let* ((s0 (current-second)) (j0 (current-jiffy)))
                 (let loop ((i 0)) (when (< i 200000) (loop (+ i 1))))
                 (let ((ds (- (current-second) s0))
                       (dj (/ (- (current-jiffy) j0) (jiffies-per-second))))
                   (< (abs (- ds dj)) 1))))
  (test "(scheme time) exports exactly"
        '(current-jiffy current-second jiffies-per-second)
        (list-sort (lambda (a b) (string<? (symbol->string a) (symbol->string b)))
                   (library-exports '(scheme time)))))
