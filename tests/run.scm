;;; run.scm -- runs Scheme test files: pith tests/run.scm FILE ...
;;; Loads tests/scheme/framework.scm, then each file; prints a line per
;;; file and "N passed, M failed" last; exits 1 if any test failed or a
;;; file could not be run.
;;; SPDX-License-Identifier: MIT

(define %runner-dir
  (let* ((me (car (command-line)))
         (slash (let loop ((i (- (string-length me) 1)))
                  (cond ((< i 0) #f)
                        ((char=? (string-ref me i) #\/) i)
                        (else (loop (- i 1)))))))
    (if slash (substring me 0 (+ slash 1)) "")))

(load (string-append %runner-dir "scheme/framework.scm"))

(define %broken-files 0)

(for-each
 (lambda (file)
   (let ((before-p %test-passed) (before-f %test-failed))
     (call/cc
      (lambda (k)
        (with-exception-handler
         (lambda (e)
           (set! %broken-files (+ %broken-files 1))
           (set! %test-failed (+ %test-failed 1))
           (display "FAIL: " (current-error-port))
           (display file (current-error-port))
           (display ": stopped by an uncaught error: " (current-error-port))
           (display (condition/report-string e) (current-error-port))
           (newline (current-error-port))
           (k #f))
         (lambda () (load file)))))
     (display file)
     (display ": ")
     (display (- %test-passed before-p))
     (display " passed, ")
     (display (- %test-failed before-f))
     (display " failed")
     (newline)))
 (cdr (command-line)))

(display %test-passed)
(display " passed, ")
(display %test-failed)
(display " failed")
(newline)
(exit (if (= %test-failed 0) 0 1))
